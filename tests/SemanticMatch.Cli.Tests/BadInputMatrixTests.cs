using System.Text.RegularExpressions;

namespace SemanticMatch.Cli.Tests;

/// <summary>
/// Every command and every option given bad input, through the real executable: exit code 2, a message that names the
/// option, file or line, no stack trace, and no file changed. A new option must join the table (see
/// <see cref="Matrix_CoversEveryOptionOfEveryCommand"/>).
/// </summary>
/// <remarks>Arguments are separated by '|'; {P} is a valid products file, {J} valid judgments, {W} the case's folder, {F} a file in it.</remarks>
[Collection(SemmatchProcess.Name)]
public sealed partial class BadInputMatrixTests(Semmatch semmatch)
{
    private const string Train = "train|--train|{J}|--dev|{J}|--products|{P}|--out|{W}/model";
    private const string Eval = "eval|--products|{P}|--judgments|{J}|--out|{W}/report";
    private const string Index = "index|--products|{P}|--out|{W}/idx";
    private const string TrainRanker = "train-ranker|--train|{J}|--dev|{J}|--products|{P}|--out|{W}/ranker";

    public static TheoryData<string, string> Cases { get; } = new()
    {
        // search
        { "search|drill|--metod|bm25", "unknown option '--metod' for 'semmatch search'; did you mean '--method'?" },
        { "search|drill|--method|semantic", "--method: 'semantic' is not one of: bm25, dense, hybrid" },
        { "search|drill|--data|{W}", "--data, --store and --connection choose where --collection lives; give --collection" },
        { "search|drill|--collection|demo|--rerank|{W}/ce", "--collection searches with the collection's own model, re-ranker and ranker" },
        { "search|drill|--collection|demo|--store|mysql", "--store must be embedded or postgres (got 'mysql')" },
        { "search|drill|--collection|demo|--connection|Host=x", "--connection needs --store postgres" },
        { "search|drill|--top|abc", "--top: 'abc' is not a whole number" },
        { "search|drill|--top|0", "--top must be at least 1" },
        { "search|drill|--top|99999999999", "--top: 99999999999 is too large" },
        { "search|drill|--fusion|max", "--fusion: 'max' is not one of: rrf, weighted" },
        { "search|drill|--dense-weight|1.5", "--dense-weight must be between 0 and 1" },
        { "search|drill|--dense-weight|0,5", "--dense-weight: '0,5' is not a number" },
        { "search|drill|--rerank|{W}/no-model", "unknown model '{W}/no-model'" },
        { "search|drill|--rerank-depth|0", "--rerank-depth must be at least 1" },
        { "search|drill|--first-stage-weight|1", "--first-stage-weight must be in [0, 1)" },
        { "search|drill|--index|{W}/no-index", "'{W}/no-index' is not a SemanticMatch index" },
        { "search|drill|--index", "--index needs a value (DIR)" },
        { "search|drill|--json=maybe", "--json: 'maybe' is not true or false" },
        { "search|drill|--no-spell=2", "--no-spell: '2' is not true or false" },
        { "search|drill|--explain=yes", "--explain: 'yes' is not true or false" },
        { "search|drill|--model|no-model", "unknown model 'no-model'" },
        { "search|drill|--pooling|sum", "--pooling: 'sum' is not one of: mean, cls, max" },
        { "search|drill|--batch-size|0", "--batch-size must be at least 1" },
        { "search|   ", "the query is empty" },
        { "search|drill|--ranker|{W}/no-ranker", "'{W}/no-ranker' is not a ranker directory" },
        { "search|drill|--ranker|{W}/no-ranker|--method|bm25", "--ranker orders hybrid results" },
        { "search|drill|--min-probability|0.5", "--min-probability needs --ranker" },

        // explain (the options of search, plus the product)
        { "explain|drill|DM0004|--metod|bm25", "unknown option '--metod' for 'semmatch explain'; did you mean '--method'?" },
        { "explain|drill|DM0004|--method|semantic", "--method: 'semantic' is not one of: bm25, dense, hybrid" },
        { "explain|drill|DM0004|--top|0", "--top must be at least 1" },
        { "explain|drill|DM0004|--fusion|max", "--fusion: 'max' is not one of: rrf, weighted" },
        { "explain|drill|DM0004|--dense-weight|1.5", "--dense-weight must be between 0 and 1" },
        { "explain|drill|DM0004|--rerank|{W}/no-model", "unknown model '{W}/no-model'" },
        { "explain|drill|DM0004|--rerank-depth|0", "--rerank-depth must be at least 1" },
        { "explain|drill|DM0004|--first-stage-weight|1", "--first-stage-weight must be in [0, 1)" },
        { "explain|drill|DM0004|--index|{W}/no-index", "'{W}/no-index' is not a SemanticMatch index" },
        { "explain|drill|DM0004|--json=maybe", "--json: 'maybe' is not true or false" },
        { "explain|drill|DM0004|--no-spell=2", "--no-spell: '2' is not true or false" },
        { "explain|drill|DM0004|--explain=yes", "--explain: 'yes' is not true or false" },
        { "explain|drill|DM0004|--model|no-model", "unknown model 'no-model'" },
        { "explain|drill|DM0004|--pooling|sum", "--pooling: 'sum' is not one of: mean, cls, max" },
        { "explain|drill|DM0004|--batch-size|0", "--batch-size must be at least 1" },
        { "explain|drill|NOPE", "product 'NOPE' is not in this index" },

        // index
        { Index + "|--feilds|title", "unknown option '--feilds' for 'semmatch index'; did you mean '--fields'?" },
        { "index|--products|{P}|--out|{W}/site", "holds 'src', which is not part of a SemanticMatch index; nothing was changed" },
        { "index|--products|{P}|--out|{F}", "'{F}' is a file, not a directory" },
        { "index|--out|{W}/idx", "--products is required" },
        { "index|--products|{P}", "--out is required" },
        { "index|--products|{P}|--store|sqlite", "--store must be directory or postgres (got 'sqlite')" },
        { "index|--products|{P}|--store|postgres|--connection|Host=x", "--store postgres needs --collection NAME (1-64 of a-z, 0-9, '-', '_')" },
        { "index|--products|{P}|--store|postgres|--collection|Shop!|--connection|Host=x", "--store postgres needs --collection NAME (1-64 of a-z, 0-9, '-', '_')" },
        { "index|--products|{P}|--store|postgres|--collection|shop", "--store postgres needs --connection or $SEMANTICMATCH_CONNECTION" },
        { "index|--products|{P}|--store|postgres|--collection|shop|--connection|Host=x|--batch|0", "--batch must be between 1 and 10000" },
        { "index|--products|{P}|--out|{W}/idx|--store|postgres|--collection|shop|--connection|Host=x", "--out is for index directories; --store postgres loads --collection" },
        { "index|--products|{W}/missing.csv|--out|{W}/idx", "{W}/missing.csv: file not found" },
        { "index|--products|{W}/semicolons.csv|--out|{W}/idx", "it looks ';'-separated: use commas" },
        { "index|--products|{W}/open-quote.csv|--out|{W}/idx", "{W}/open-quote.csv:3: a quote '\"' opened here is never closed" },
        { Index + "|--fields|title,colour", "--fields: 'colour' is not a column of {P} (it has: brand, title)" },
        { Index + "|--fields|,", "--fields needs at least one field name" },
        { Index + "|--metric|manhattan", "--metric: 'manhattan' is not one of: cosine, dot, euclidean, jaccard" },
        { Index + "|--metric|jaccard", "--metric jaccard is lexical and cannot index vectors" },
        { Index + "|--vector-index|annoy", "--vector-index: 'annoy' is not one of: exact, hnsw" },
        { Index + "|--language|fr", "--language: 'fr' is not one of: auto, en, zh" },
        { Index + "|--hnsw-m|1", "--hnsw-m must be in 2..256" },
        { Index + "|--hnsw-ef-construction|0", "--hnsw-ef-construction must be at least 1" },
        { Index + "|--hnsw-ef-search|-5", "--hnsw-ef-search must be at least 1" },
        { Index + "|--hnsw-storage|f8", "--hnsw-storage: 'f8' is not one of: f32, f16, i8" },
        { Index + "|--no-units=x", "--no-units: 'x' is not true or false" },
        { Index + "|--no-html=x", "--no-html: 'x' is not true or false" },
        { Index + "|--no-unicode=x", "--no-unicode: 'x' is not true or false" },
        { Index + "|--skip-bad-rows=x", "--skip-bad-rows: 'x' is not true or false" },
        { Index + "|--model|{W}", "model.onnx" },
        { Index + "|--pooling|avg", "--pooling: 'avg' is not one of: mean, cls, max" },
        { Index + "|--batch-size|x", "--batch-size: 'x' is not a whole number" },

        // match
        { "match|drill", "give a query and at least one product text" },
        { "match|--pairs|{J}", "{J} names products by id (query,product_id,relevance): give the products file with --products" },
        { "match|--pairs|{J}|drill", "--pairs takes no positional query" },
        { "match|drill|20V drill|--similarity|bm25", "--similarity: 'bm25' is not one of: cosine, dot, euclidean, jaccard" },
        { "match|--pairs|{J}|--products|{P}|--out|{W}", "--out: '{W}' is a directory" },
        { "match|--pairs|{J}|--products|{P}|--out|{W}/no/such/scored.csv", "--out: directory '{W}/no/such' does not exist" },
        { "match|--pairs|{W}/duplicate.csv|--products|{P}|--similarity|jaccard", "{W}/duplicate.csv:3: field 'product_id': duplicate judgment of product 'd1' for query 'drill' (first on line 2)" },
        { "match|--pairs|{J}|--products|{P}|--fields|colour", "--fields: 'colour' is not a column" },
        { "match|drill|20V drill|--json=yes", "--json: 'yes' is not true or false" },
        { "match|drill|20V drill|--no-units=x", "--no-units: 'x' is not true or false" },
        { "match|drill|20V drill|--no-html=x", "--no-html: 'x' is not true or false" },
        { "match|drill|20V drill|--no-unicode=x", "--no-unicode: 'x' is not true or false" },
        { "match|--pairs|{W}/contradiction.csv|--products|{P}|--skip-bad-rows=1", "--skip-bad-rows: '1' is not true or false" },
        { "match|drill|20V drill|--model|no-model", "unknown model 'no-model'" },
        { "match|drill|20V drill|--pooling|first", "--pooling: 'first' is not one of: mean, cls, max" },
        { "match|drill|20V drill|--batch-size|-1", "--batch-size must be at least 1" },

        // eval
        { Eval.Replace("{W}/report", "{F}", StringComparison.Ordinal), "--out: '{F}' is a file; give a directory" },
        { "eval|--products|{P}|--judgments|{J}", "--products, --judgments and --out are required" },
        { Eval + "|--methods|", "--methods: give at least one of bm25, dense, hybrid" },
        { Eval + "|--methods|bm25,vector", "unknown method(s) in --methods: vector" },
        { Eval + "|--models|minilm:sum", "--models entry 'minilm:sum': unknown pooling 'sum'" },
        { Eval + "|--relevant-threshold|high", "--relevant-threshold: 'high' is not a number" },
        { Eval + "|--scale-min|3|--scale-max|1", "--scale-min (3) must be below --scale-max (1)" },
        { Eval + "|--scale-max|2", "{J}:2: field 'relevance': relevance 3 is outside the scale [-100, 2]" },
        { "eval|--products|{P}|--judgments|{W}/absurd.csv|--out|{W}/report", "{W}/absurd.csv:2: field 'relevance': relevance 1e9 is outside the scale [-100, 100]" },
        { "eval|--products|{P}|--judgments|{W}/contradiction.csv|--out|{W}/report", "contradicts line 2 (relevance 1 here, 3 there)" },
        { Eval + "|--fusion|sum", "--fusion: 'sum' is not one of: rrf, weighted" },
        { Eval + "|--dense-weight|-1", "--dense-weight must be between 0 and 1" },
        { Eval + "|--no-spell=x", "--no-spell: 'x' is not true or false" },
        { Eval + "|--rerank|{W}/no-model", "unknown model '{W}/no-model'" },
        { Eval + "|--rerank-depth|0", "--rerank-depth must be at least 1" },
        { Eval + "|--first-stage-weight|-0.1", "--first-stage-weight must be in [0, 1)" },
        { Eval + "|--fields|colour", "--fields: 'colour' is not a column" },
        { Eval + "|--no-units=x", "--no-units: 'x' is not true or false" },
        { Eval + "|--no-html=x", "--no-html: 'x' is not true or false" },
        { Eval + "|--no-unicode=x", "--no-unicode: 'x' is not true or false" },
        { Eval + "|--skip-bad-rows=x", "--skip-bad-rows: 'x' is not true or false" },
        { Eval + "|--model|no-model", "unknown model 'no-model'" },
        { Eval + "|--pooling|x", "--pooling: 'x' is not one of: mean, cls, max" },
        { Eval + "|--batch-size|0", "--batch-size must be at least 1" },
        { Eval + "|--scale-min|x", "--scale-min: 'x' is not a number" },
        { Eval + "|--ranker|{W}/no-ranker", "'{W}/no-ranker' is not a ranker directory" },
        { Eval + "|--metric|jaccard", "--metric jaccard is lexical and cannot index vectors" },
        { Eval + "|--vector-index|annoy", "--vector-index: 'annoy' is not one of: exact, hnsw" },
        { Eval + "|--language|fr", "--language: 'fr' is not one of: auto, en, zh" },
        { Eval + "|--hnsw-m|1", "--hnsw-m must be in 2..256" },
        { Eval + "|--hnsw-ef-construction|0", "--hnsw-ef-construction must be at least 1" },
        { Eval + "|--hnsw-ef-search|0", "--hnsw-ef-search must be at least 1" },
        { Eval + "|--hnsw-storage|f8", "--hnsw-storage: 'f8' is not one of: f32, f16, i8" },

        // train-ranker
        { TrainRanker.Replace("{W}/ranker", "{W}/site", StringComparison.Ordinal), "which is not part of a SemanticMatch ranker; nothing was changed" },
        { TrainRanker.Replace("{W}/ranker", "{F}", StringComparison.Ordinal), "'{F}' is a file, not a directory" },
        { "train-ranker|--train|{J}|--dev|{J}|--products|{P}", "--dev, --products and --out are required" },
        { "train-ranker|--dev|{J}|--products|{P}|--out|{W}/ranker", "--train (or, when every train query is cross-fitted, --part) is required" },
        { TrainRanker + "|--depth|0", "--depth must be at least 1" },
        { TrainRanker + "|--trees|0", "trees must be at least 1" },
        { TrainRanker + "|--leaves|1", "leaves must be at least 2" },
        { TrainRanker + "|--trees|100,x", "--trees: 'x' is not a whole number (give one, or several separated by commas)" },
        { TrainRanker + "|--leaves|8,16", "2 tree settings (--trees 100 --leaves 8,16) need --folds K to choose between them" },
        { TrainRanker + "|--folds|1", "--folds must be 0 (no cross-validation) or at least 2" },
        { TrainRanker + "|--folds|x", "--folds: 'x' is not a whole number" },
        { TrainRanker + "|--folds|100000", "cross-validation needs 2 to" },
        { TrainRanker + "|--min-leaf|0", "the minimum leaf count must be at least 1" },
        { TrainRanker + "|--learning-rate|2", "the learning rate must be in (0, 1]" },
        { TrainRanker + "|--without|colour", "--without: unknown group(s) colour (use keyword, dense, cross, first-stage, lexical, numbers, spelling)" },
        { TrainRanker + "|--relevant-threshold|high", "--relevant-threshold: 'high' is not a number" },
        { TrainRanker + "|--relevant-threshold|5", "dev needs relevant and irrelevant pairs" },
        { TrainRanker + "|--unjudged-negatives=x", "--unjudged-negatives: 'x' is not true or false" },
        { TrainRanker + "|--seed|x", "--seed: 'x' is not a whole number" },
        { TrainRanker + "|--no-spell=x", "--no-spell: 'x' is not true or false" },
        { TrainRanker + "|--rerank|{W}/no-model", "unknown model '{W}/no-model'" },
        { TrainRanker + "|--part|{J}", "each --part needs its --part-model: 1 --part, 0 --part-model" },
        { TrainRanker + "|--part|{W}/missing.csv|--part-model|minilm-int8", "{W}/missing.csv: file not found" },
        { TrainRanker + "|--part|{J}|--part-model|minilm-int8", "is in both --train ({J}) and --part 1 ({J})" },
        { TrainRanker + "|--part-rerank|{W}/no-model", "--part-rerank needs --rerank (the cross-encoder the ranker is served with)" },
        { TrainRanker + "|--rerank|{W}/no-model|--part|{J}|--part-model|minilm", "with --rerank, each --part needs its --part-rerank: 1 --part, 0 --part-rerank" },
        { "train-ranker|--train|{W}/contradiction.csv|--dev|{J}|--products|{P}|--out|{W}/ranker", "contradicts line 2 (relevance 1 here, 3 there)" },
        { "train-ranker|--train|{J}|--dev|{W}/absurd.csv|--products|{P}|--out|{W}/ranker", "{W}/absurd.csv:2: field 'relevance': relevance 1e9 is outside the scale [-100, 100]" },
        { "train-ranker|--train|{J}|--dev|{J}|--products|{W}/semicolons.csv|--out|{W}/ranker", "it looks ';'-separated: use commas" },
        { TrainRanker + "|--fields|colour", "--fields: 'colour' is not a column" },
        { TrainRanker + "|--no-units=x", "--no-units: 'x' is not true or false" },
        { TrainRanker + "|--no-html=x", "--no-html: 'x' is not true or false" },
        { TrainRanker + "|--no-unicode=x", "--no-unicode: 'x' is not true or false" },
        { TrainRanker + "|--skip-bad-rows=x", "--skip-bad-rows: 'x' is not true or false" },
        { TrainRanker + "|--model|no-model", "unknown model 'no-model'" },
        { TrainRanker + "|--pooling|x", "--pooling: 'x' is not one of: mean, cls, max" },
        { TrainRanker + "|--batch-size|0", "--batch-size must be at least 1" },
        { TrainRanker + "|--metric|manhattan", "--metric: 'manhattan' is not one of: cosine, dot, euclidean, jaccard" },
        { TrainRanker + "|--vector-index|annoy", "--vector-index: 'annoy' is not one of: exact, hnsw" },
        { TrainRanker + "|--language|fr", "--language: 'fr' is not one of: auto, en, zh" },
        { TrainRanker + "|--hnsw-m|300", "--hnsw-m must be in 2..256" },
        { TrainRanker + "|--hnsw-ef-construction|0", "--hnsw-ef-construction must be at least 1" },
        { TrainRanker + "|--hnsw-ef-search|-1", "--hnsw-ef-search must be at least 1" },
        { TrainRanker + "|--hnsw-storage|f8", "--hnsw-storage: 'f8' is not one of: f32, f16, i8" },

        // demo
        { "demo|--top|0", "--top must be at least 1" },
        { "demo|--tpo|3", "unknown option '--tpo' for 'semmatch demo'; did you mean '--top'?" },
        { "demo|--no-spell=x", "--no-spell: 'x' is not true or false" },
        { "demo|--model|no-model", "unknown model 'no-model'" },
        { "demo|--pooling|x", "--pooling: 'x' is not one of: mean, cls, max" },
        { "demo|--batch-size|0", "--batch-size must be at least 1" },

        // quantize
        { "quantize", "--out is required" },
        { "quantize|--out|{W}/site", "--out: '{W}/site' is not empty" },
        { "quantize|--model|no-model|--out|{W}/q", "unknown model 'no-model'" },

        // train (all caught before any model or libtorch loads)
        { "train", "--train, --dev and --out are required (and --products, unless the judgments carry their texts)" },
        { "train|--train|{J}|--dev|{J}|--out|{W}/model", "{J} names products by id (query,product_id,relevance): give the products file with --products" },
        { "train|--train|{J}|--dev|{J}|--products||--out|{W}/model", "--products is empty" },
        { Train.Replace("{W}/model", "{W}/site", StringComparison.Ordinal), "--out: '{W}/site' is not empty" },
        { "train|--train|{W}/missing.csv|--dev|{J}|--products|{P}|--out|{W}/model", "{W}/missing.csv: file not found" },
        { "train|--train|{J}|--dev|{W}/absurd.csv|--products|{P}|--out|{W}/model", "{W}/absurd.csv:2: field 'relevance'" },
        { "train|--train|{J}|--dev|{J}|--products|{W}/missing.csv|--out|{W}/model", "{W}/missing.csv: file not found" },
        { Train + "|--base|no-model", "unknown model 'no-model'" },
        { Train + "|--fields|title,colour", "--fields: 'colour' is not a column of {P} (it has: brand, title)" },
        { Train + "|--fields|,", "--fields needs at least one field name" },
        { Train + "|--objective|listnet", "--objective: 'listnet' is not one of: bce, mnrl, cosent, distil, listwise, cross, cross-graded, cross-ranked, mlm" },
        { Train + "|--optimizer|adam", "--optimizer: 'adam' is not one of: adamw, sgd" },
        { Train + "|--lr|0", "--lr must be positive" },
        { Train + "|--batch-size|1", "--batch-size must be at least 2" },
        { Train + "|--epochs|0", "--epochs must be at least 1" },
        { Train + "|--weight-decay|-1", "--weight-decay must be >= 0" },
        { Train + "|--dropout|1", "--dropout must be in [0, 1)" },
        { Train + "|--warmup|2", "--warmup must be in [0, 1]" },
        { Train + "|--max-grad-norm|-1", "--max-grad-norm must be >= 0" },
        { Train + "|--patience|0", "--patience must be at least 1" },
        { Train + "|--seed|x", "--seed: 'x' is not a whole number" },
        { Train + "|--freeze-layers|-2", "--freeze-layers must be -1 (none), 0 (embeddings) or a layer count" },
        { Train + "|--layers|-1", "--layers must be >= 0 (0 keeps all)" },
        { Train + "|--lora-rank|-1", "--lora-rank must be >= 0" },
        { Train + "|--lora-alpha|0", "--lora-alpha must be positive" },
        { Train + "|--max-query-length|2", "--max-query-length must be at least 3 tokens" },
        { Train + "|--max-product-length|2", "--max-product-length must be at least 3 tokens" },
        { Train + "|--hard-negatives|--objective|cosent", "--hard-negatives need the mnrl objective" },
        { Train + "|--random-negatives|-1", "--random-negatives must be >= 0" },
        { Train + "|--resume=x", "--resume: 'x' is not true or false" },
        { Train + "|--relevant-threshold|x", "--relevant-threshold: 'x' is not a number" },
        { Train + "|--language|fr", "--language: 'fr' is not one of: auto, en, zh" },
        { Train + "|--vocab-init|zero", "--vocab-init: 'zero' is not one of: random, unk" },
        { Train + "|--embedding-lr|0", "--embedding-lr must be positive" },
        { Train + "|--select-by|f1", "--select-by: 'f1' is not one of: auto, ndcg, auc, accuracy" },
        { Train + "|--objective|distil", "--teacher is required by the distil objective" },
        { Train + "|--teacher|{W}/ce", "--teacher needs the distil or cross-graded objective" },
        { Train + "|--objective|distil|--teacher|{W}/missing", "--teacher: unknown model '{W}/missing'" },
        { Train + "|--objective|distil|--teacher|minilm", "is a BiEncoder; distillation learns from a cross-encoder" },
        { Train + "|--augment|typos,spelling", "--augment: unknown kind(s) spelling (use typos, units, truncate, synonyms)" },
        { Train + "|--augment-rate|0", "--augment-rate must be in (0, 1]" },

        // serve (every case fails before the server opens its data directory)
        { "serve|--data|{W}|--log-retention-days|0", "--log-retention-days must be at least 1" },
        { "serve|--data|{W}|--no-query-text=maybe", "--no-query-text: 'maybe' is not true or false" },
        { "serve|--urls|ftp://x", "--urls: 'ftp://x' is not an http:// or https:// address" },
        { "serve|--config|{W}/missing.json", "--config: '{W}/missing.json' does not exist" },
        { "serve|--snapshot-after|0", "--snapshot-after must be at least 1" },
        { "serve|--snapshot-after|lots", "--snapshot-after: 'lots' is not a whole number" },
        { "serve|--rate-limit|-1", "--rate-limit must be >= 0" },
        { "serve|--max-concurrent|0", "--max-concurrent must be at least 1" },
        { "serve|--max-queue|-1", "--max-queue must be >= 0" },
        { "serve|--micro-batch|0", "--micro-batch must be at least 1" },
        { "serve|--data", "--data needs a value (DIR)" },
        { "serve|--store|mysql", "--store must be embedded or postgres (got 'mysql')" },
        { "serve|--connection|Host=x", "--connection needs --store postgres" },
        { "serve|--store|postgres", "--store postgres needs --connection or $SEMANTICMATCH_CONNECTION" },
        { "serve|--store|postgres|--connection|Host=x|--keyword-ranking|tfidf", "--keyword-ranking: 'tfidf' is not one of: bm25, ts-rank-cd" },
        { "serve|--store|postgres|--connection|Host=x|--ef-search|0", "--ef-search must be between 1 and 1000" },
        { "serve|--ef-search|50", "--keyword-ranking and --ef-search need --store postgres" },
        { "serve|--store|postgres|--connection|Host=x|--build-lease|0", "--build-lease must be between 1 and 3600 seconds" },
        { "serve|--build-lease|5", "--build-lease needs --store postgres" },
        { "serve|--store|postgres|--connection|Host=127.0.0.1;Port=1;Timeout=1", "the database cannot be reached" },
        { "serve|--urll|http://127.0.0.1:1", "unknown option '--urll' for 'semmatch serve'; did you mean '--urls'?" },

        // keys add
        { "keys|add|--data|{W}/keys", "--name is required" },
        { "keys|add|--data|{W}/keys|--name|shop|--scopes|read,root", "--scopes 'root' is not one of: read, write, admin" },
        { "keys|add|--name|shop|--data", "--data needs a value (DIR)" },

        // recover
        { "recover|--data|{W}", "--collection is required" },
        { "recover|--data|{W}|--collection|shop", "collection 'shop' is not in {W} ({W}/collections/shop does not exist)" },
        { "recover|--data|{W}|--collection|../x", "'../x' is not a valid collection name" },

        // feedback export
        { "feedback|export|--data|{W}|--collection|c", "--collection and --out are required" },
        { "feedback|export|--data|{W}|--collection|c|--out|{W}/j.csv", "--collection: {W} has no collection 'c'" },
        { "feedback|export|--data|{W}|--collection|c|--out|{W}/j.csv|--min-impressions|0", "--min-impressions must be at least 1" },
        { "feedback|export|--data|{W}|--collection|c|--out|{W}/j.csv|--click-model|dbn", "--click-model: 'dbn' is not one of: position-based (pbm), naive" },
        { "feedback|export|--data|{W}|--collection|c|--out|{W}/j.csv|--min-evidence|0", "--min-evidence must be at least 1" },
        { "feedback|export|--data|{W}|--collection|c|--out|{W}/j.csv|--skip-above=2", "--skip-above: '2' is not true or false" },
        { "feedback|export|--data|{W}|--collection|c|--out|{W}/j.csv|--max-clicks-per-search|0", "--max-clicks-per-search must be positive" },
        // generation build / rollback
        { "generation|build|--data|{W}|--collection|c", "--model is required" },
        { "generation|build|--data|{W}|--model|minilm", "--collection is required" },
        { "generation|build|--data|{W}|--collection|c|--model|minilm", "--collection: {W} has no collection 'c'" },
        { "generation|rollback|--data|{W}|--collection|c", "--collection: {W} has no collection 'c'" },
        { "feedback|export|--data|{W}|--collection|c|--out|{W}", "--out: '{W}' is a directory" },
        { "feedback|export|--collection|c|--out|{W}/j.csv|--store|files", "--store must be embedded or postgres (got 'files')" },
        { "feedback|export|--collection|c|--out|{W}/j.csv|--connection|Host=x", "--connection needs --store postgres" },
        // analytics
        { "analytics|--data|{W}", "--collection is required" },
        { "analytics|--data|{W}|--collection|c", "--collection: {W} has no collection 'c'" },
        { "analytics|--data|{W}|--collection|c|--limit|0", "--limit must be between 1 and 1000" },
        { "analytics|--data|{W}|--collection|c|--from|yesterday", "--from: 'yesterday' is not an ISO 8601 date or time" },
        { "analytics|--data|{W}|--collection|c|--from|2021-01-01|--to|2020-01-01", "--from: 2021-01-01T00:00:00.0000000+00:00 is not before --to: 2020-01-01T00:00:00.0000000+00:00" },
        { "analytics|--data|{W}|--collection|c|--json=2", "--json: '2' is not true or false" },
        { "analytics|--collection|c|--store|files", "--store must be embedded or postgres (got 'files')" },
        { "analytics|--collection|c|--connection|Host=x", "--connection needs --store postgres" },
        { "retrain|--data|{W}", "--collection is required" },
        { "retrain|--data|{W}|--collection|c", "--out is required" },
        { "retrain|--data|{W}|--collection|c|--out|{W}/m", "--collection: {W} has no collection 'c'" },
        { "retrain|--data|{W}|--collection|c|--out|m|--holdout|1", "--holdout must be between 0 and 1 (exclusive)" },
        { "retrain|--data|{W}|--collection|c|--out|m|--margin|2", "--margin must be between -1 and 1 (below 0: promote unless worse by more)" },
        { "retrain|--data|{W}|--collection|c|--out|m|--min-evidence|0", "--min-evidence must be at least 1" },
        { "retrain|--data|{W}|--collection|c|--out|m|--click-model|dbn", "--click-model: 'dbn' is not one of: position-based (pbm), naive" },
        { "retrain|--data|{W}|--collection|c|--out|m|--epochs|0", "--epochs must be between 1 and 100" },
        { "retrain|--data|{W}|--collection|c|--out|m|--seed|x", "--seed: 'x' is not a whole number" },
        { "retrain|--data|{W}|--collection|c|--out|m|--from|soon", "--from: 'soon' is not an ISO 8601 date or time" },
        { "retrain|--data|{W}|--collection|c|--out|m|--to|soon", "--to: 'soon' is not an ISO 8601 date or time" },
        { "retrain|--data|{W}|--collection|c|--out|{W}/m|--dev|{W}/none.csv", "--dev: '{W}/none.csv' does not exist" },
        { "retrain|--data|{W}|--collection|c|--out|m|--dry-run=2", "--dry-run: '2' is not true or false" },
        { "retrain|--collection|c|--out|m|--store|files", "--store must be embedded or postgres (got 'files')" },
        { "retrain|--collection|c|--out|m|--connection|Host=x", "--connection needs --store postgres" },
        { "experiment|report|--data|{W}", "--collection is required" },
        { "experiment|report|--data|{W}|--collection|c", "--collection: {W} has no collection 'c'" },
        { "experiment|report|--data|{W}|--collection|c|--to|soon", "--to: 'soon' is not an ISO 8601 date or time" },
        { "experiment|report|--data|{W}|--collection|c|--from|soon", "--from: 'soon' is not an ISO 8601 date or time" },
        { "experiment|report|--data|{W}|--collection|c|--json=2", "--json: '2' is not true or false" },
        { "experiment|report|--collection|c|--store|files", "--store must be embedded or postgres (got 'files')" },
        { "experiment|report|--collection|c|--connection|Host=x", "--connection needs --store postgres" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void BadInput_ExitsWith2_NamesTheProblem_AndChangesNoFile(string args, string expected)
    {
        var work = CreateWorkFolder();
        var before = Snapshot(work);

        var result = semmatch.Run([.. args.Split('|').Select(a => Expand(a, work))]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(Expand(expected, work), result.Stderr.ReplaceLineEndings(" "));
        Assert.DoesNotContain("   at ", result.Stdout + result.Stderr);
        Assert.DoesNotContain("Exception", result.Stderr);
        Assert.Equal(before, Snapshot(work));
    }

    /// <summary>Every command a user runs (docs/cli.md documents the same list).</summary>
    internal static readonly string[] s_commands = ["demo", "search", "explain", "index", "match", "train", "quantize", "eval", "train-ranker", "serve", "recover", "keys add", "feedback export", "analytics", "experiment report", "retrain", "generation build", "generation rollback"];

    public static TheoryData<string> Commands { get; } = new(s_commands);

    [Theory]
    [MemberData(nameof(Commands))]
    public void Help_WorksForEveryCommand(string command)
    {
        var result = semmatch.Run([.. command.Split(' '), "--help"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"semmatch {command}", result.Stdout);
        Assert.NotEmpty(OptionsInHelp(result.Stdout));
        Assert.Equal(string.Empty, result.Stderr);
    }

    [Fact]
    public void Matrix_CoversEveryOptionOfEveryCommand()
    {
        var missing = new List<string>();
        foreach (var command in s_commands)
        {
            var help = semmatch.Run([.. command.Split(' '), "--help"]);
            var prefix = command.Replace(' ', '|');
            var tokens = Cases.Select(c => c.Data.Item1).Where(a => a.StartsWith(prefix + "|", StringComparison.Ordinal) || a == prefix)
                .SelectMany(a => a.Split('|'))
                .Select(t => t.Split('=')[0])
                .ToHashSet(StringComparer.Ordinal);
            missing.AddRange(OptionsInHelp(help.Stdout).Where(o => o != "--help" && !tokens.Contains(o)).Select(o => $"{command} {o}"));
        }

        Assert.True(missing.Count == 0, "options without a bad-input case: " + string.Join(", ", missing));
    }

    private static List<string> OptionsInHelp(string help) =>
        help[help.IndexOf("OPTIONS:", StringComparison.Ordinal)..]
            .Split('\n')
            .Select(line => OptionLine().Match(line))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value)
            .ToList();

    [GeneratedRegex(@"^\s+(?:-\S, )?(--[a-z0-9-]+)")]
    private static partial Regex OptionLine();

    private string CreateWorkFolder()
    {
        var work = Path.Combine(semmatch.Root, "matrix-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(work, "site", "src"));
        File.WriteAllText(Path.Combine(work, "site", "manifest.json"), "{\"name\":\"x\"}");
        File.WriteAllText(Path.Combine(work, "site", "src", "app.js"), "x");
        File.WriteAllText(Path.Combine(work, "products.csv"), "product_id,title,brand\nd1,Cordless Drill,Acme\nh1,Garden Hose,Hosey\n");
        File.WriteAllText(Path.Combine(work, "judgments.csv"), "query,product_id,relevance\ndrill,d1,3\ndrill,h1,1\n");
        File.WriteAllText(Path.Combine(work, "duplicate.csv"), "query,product_id,relevance\ndrill,d1,3\ndrill,d1,3\n");
        File.WriteAllText(Path.Combine(work, "contradiction.csv"), "query,product_id,relevance\ndrill,d1,3\ndrill,d1,1\n");
        File.WriteAllText(Path.Combine(work, "absurd.csv"), "query,product_id,relevance\ndrill,d1,1e9\n");
        File.WriteAllText(Path.Combine(work, "semicolons.csv"), "product_id;title\nd1;Cordless Drill\n");
        File.WriteAllText(Path.Combine(work, "open-quote.csv"), "product_id,title\nd1,Cordless Drill\nh1,\"Garden Hose\n");
        File.WriteAllText(Path.Combine(work, "existing.txt"), "keep me");
        return work;
    }

    private static string Expand(string text, string work) => text
        .Replace("{P}", Path.Combine(work, "products.csv"), StringComparison.Ordinal)
        .Replace("{J}", Path.Combine(work, "judgments.csv"), StringComparison.Ordinal)
        .Replace("{F}", Path.Combine(work, "existing.txt"), StringComparison.Ordinal)
        .Replace("{W}", work, StringComparison.Ordinal);

    private static SortedDictionary<string, string> Snapshot(string folder) =>
        new(Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).ToDictionary(
            path => Path.GetRelativePath(folder, path),
            path => File.Exists(path) ? $"{new FileInfo(path).Length}:{File.GetLastWriteTimeUtc(path).Ticks}:{File.ReadAllText(path)}" : "dir"),
            StringComparer.Ordinal);
}
