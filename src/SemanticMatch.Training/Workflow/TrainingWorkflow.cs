using SemanticMatch.Core;
using SemanticMatch.Core.Catalogue;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Core.Text;
using SemanticMatch.Engine.Indexing;
using SemanticMatch.Onnx.Encoding;
using SemanticMatch.Onnx.Models;
using SemanticMatch.Search;
using SemanticMatch.Training.Augmenting;
using SemanticMatch.Training.Fitting;

namespace SemanticMatch.Training.Workflow;

/// <summary>
/// The whole training workflow behind <c>semmatch train</c>: optional vocabulary extension for Chinese, query
/// augmentation, tokenisation with the base model's query prefix, random and hard negatives, teacher scores for
/// distillation, then fine-tuning with dev selection. The command parses options, calls <see cref="Run"/> and prints.
/// </summary>
public static class TrainingWorkflow
{
    /// <summary>Peak learning rate of the word embeddings of a model with added characters (they start from nothing; 50x BERT's usual 2e-5).</summary>
    public const double AddedRowsLearningRate = 1e-3;

    /// <summary>Share of the training texts' characters that must be CJK characters unknown to the base vocabulary for <see cref="TextLanguage.Auto"/> to extend it.</summary>
    public const double AutoShare = 0.01;

    /// <summary>Trains and writes the model to <see cref="TrainingRun.OutputDirectory"/>.</summary>
    /// <param name="run">Inputs and options.</param>
    /// <param name="progress">Bars for long steps, and notes of what each step did.</param>
    /// <param name="observer">Receives every training step and dev evaluation.</param>
    /// <param name="cancellationToken">Stops between steps; training saves a checkpoint first (resume with <see cref="TrainingRun.Resume"/>).</param>
    /// <returns>The dev metric by epoch (0 = before training).</returns>
    /// <exception cref="InvalidRequestException">Bad options, a teacher that cannot teach this objective, or a judged product missing.</exception>
    public static TrainingHistory Run(TrainingRun run, IProgressSink? progress = null, ITrainingObserver? observer = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        progress ??= NullProgressSink.Instance;
        if (run.Options.Problem() is { } problem)
        {
            throw new InvalidRequestException($"training options: {problem}");
        }

        var teacher = run.Options.Teacher is { } teacherArgument ? Teacher(teacherArgument, run.Options.Objective) : null;
        var shared = run.Train.Select(j => j.Query).Intersect(run.Dev.Select(j => j.Query)).Count();
        if (shared > 0)
        {
            progress.Note($"warning: {shared} queries appear in both the training and the dev judgments; dev NDCG will be optimistic");
        }

        var text = run.Products.ToDictionary(p => p.Id, run.Text.Of, StringComparer.Ordinal);
        var baseModel = BundledModels.Resolve(run.BaseModel);
        var extended = ExtendVocabulary(run, baseModel, run.Train.Select(j => run.Text.OfQuery(j.Query)).Distinct().Concat(text.Values).ToList(), progress);
        baseModel = extended ?? baseModel;
        var options = run.Options with
        {
            EmbeddingLearningRate = run.Options.EmbeddingLearningRate ?? (baseModel.Config.Vocabulary is { Added: > 0 } ? AddedRowsLearningRate : null),
        };
        var tokenizer = WordPieceTokenizer.Load(baseModel.VocabPath, baseModel.Config.LowerCase);
        // A cross-encoder reads the bare pair; masked-language modelling reads the bare texts.
        var queryPrefix = options.IsCrossEncoder || options.Objective == Objective.Mlm ? string.Empty : baseModel.Config.QueryPrefix;
        var train = Augmented(run.Train, text, options, progress);
        var trainPairs = TrainingData.Tokenize(train, text, run.Text.OfQuery, tokenizer, queryPrefix, options);
        if (options.RandomNegatives > 0)
        {
            var before = trainPairs.Count;
            trainPairs = TrainingData.WithRandomNegatives(trainPairs, run.Products.Select(p => p.Id).ToList(),
                id => tokenizer.Encode(text[id], options.MaxProductLength), options.RandomNegatives, trainPairs.Min(p => p.Relevance),
                new Random(options.Seed));
            progress.Note($"added {trainPairs.Count - before} random negatives");
        }

        if (options.HardNegatives)
        {
            trainPairs = MineHardNegatives(trainPairs, run, text, baseModel, tokenizer, options, progress, cancellationToken);
        }

        if (teacher is not null)
        {
            trainPairs = TeacherScored(trainPairs, teacher, run.Text, text, progress, cancellationToken);
        }

        var devQueries = TrainingData.Tokenize(run.Dev, text, run.Text.OfQuery, tokenizer, queryPrefix, options)
            .GroupBy(p => p.Query, StringComparer.Ordinal)
            .Select(g => new DevQuery(g.First().QueryTokens, g.Select(p => (p.ProductId, p.ProductTokens, p.Relevance)).ToList()))
            .ToList();
        progress.Note($"training {baseModel.Config.Name} with {options.Objective} on {trainPairs.Count} pairs, {devQueries.Count} dev queries");
        var history = new FineTuner(options, observer).Train(baseModel, trainPairs, devQueries, run.OutputDirectory, run.Resume, cancellationToken);
        if (extended is not null)
        {
            Directory.Delete(extended.Path, recursive: true); // the trained model holds the extended vocabulary; this copy was its starting point
        }

        return history;
    }

    // With zh (or auto and enough unknown CJK characters), the base model with those characters added, written beside
    // the output (kept for a resume, deleted after training); null when the vocabulary stays as it is.
    private static ModelDirectory? ExtendVocabulary(TrainingRun run, ModelDirectory baseModel, IReadOnlyList<string> texts, IProgressSink progress)
    {
        if (run.Language == TextLanguage.En)
        {
            return null;
        }

        var directory = Path.Combine(run.OutputDirectory, "base-vocabulary");
        if (run.Resume && Directory.Exists(directory))
        {
            return ModelDirectory.Open(directory);
        }

        var tokenizer = WordPieceTokenizer.Load(baseModel.VocabPath, baseModel.Config.LowerCase);
        var missing = VocabularyExtension.MissingCjkCharacters(tokenizer, texts);
        if (missing.Count == 0)
        {
            progress.Note($"the vocabulary of {baseModel.Config.Name} holds every CJK character of the training texts");
            return null;
        }

        var set = missing.Select(m => m[0]).ToHashSet();
        var share = (double)texts.Sum(t => t.Count(set.Contains)) / Math.Max(1, texts.Sum(t => t.Length));
        if (run.Language == TextLanguage.Auto && share < AutoShare)
        {
            return null;
        }

        var result = VocabularyExtension.Extend(baseModel, missing, directory, run.VocabularyInit, run.Options.Seed);
        progress.Note($"added {missing.Count} CJK characters ({share:P1} of the training text was [UNK] before) to the vocabulary; new rows: {run.VocabularyInit.ToString().ToLowerInvariant()}");
        return result.Model;
    }

    // The training judgments with the augmentations' rewritten queries added.
    private static IReadOnlyList<Judgment> Augmented(IReadOnlyList<Judgment> train, IReadOnlyDictionary<string, string> text, TrainingOptions options,
        IProgressSink progress)
    {
        if (options.Augmentations.Count == 0)
        {
            return train;
        }

        var synonyms = new Dictionary<string, string>();
        if (options.Augmentations.Contains(Augmentation.Synonyms))
        {
            synonyms = SynonymMining.Mine(train, text, options.RelevantThreshold, WordSimilarity);
            progress.Note($"mined {synonyms.Count} synonyms, e.g. {string.Join(", ", synonyms.Take(5).Select(s => $"{s.Key} -> {s.Value}"))}");
        }

        var (added, report) = QueryAugmenter.Augment(train, options.Augmentations, options.AugmentRate, synonyms, options.Seed);
        foreach (var line in report)
        {
            progress.Note($"augmentation {line.Kind.ToString().ToLowerInvariant()}: {line.Queries} rewritten queries, {line.Judgments} judgments added");
        }

        return [.. train, .. added];
    }

    /// <summary>
    /// What is wrong with <paramref name="teacher"/> as the teacher of <paramref name="objective"/> (it must be a
    /// cross-encoder, predicting relevance for cross-graded), or null; each host names the setting its own way.
    /// </summary>
    public static OptionProblem? TeacherProblem(string teacher, Objective objective) => LoadTeacher(teacher, objective).Problem;

    // The teacher, checked before any work.
    private static ModelDirectory Teacher(string argument, Objective objective)
    {
        var (model, problem) = LoadTeacher(argument, objective);
        return model ?? throw new InvalidRequestException($"teacher: {problem!.Rule}");
    }

    private static (ModelDirectory? Model, OptionProblem? Problem) LoadTeacher(string argument, Objective objective)
    {
        try
        {
            var model = BundledModels.Resolve(argument);
            return model.Config switch
            {
                { Kind: not ModelKind.CrossEncoder } => (null, new(nameof(TrainingOptions.Teacher), $"{model.Path} is a {model.Config.Kind}; distillation learns from a cross-encoder")),
                { Score: not CrossEncoderScore.Relevance } when objective == Objective.CrossGraded =>
                    (null, new(nameof(TrainingOptions.Teacher), $"{model.Path} scores {model.Config.Score}; cross-graded learns a predicted relevance")),
                _ => (model, null),
            };
        }
        catch (ModelFormatException e)
        {
            return (null, new(nameof(TrainingOptions.Teacher), e.Message));
        }
    }

    // Cosine similarity of word pairs by the bundled MiniLM (whatever the base model: a cross-encoder cannot embed words).
    private static float[] WordSimilarity(IReadOnlyList<(string A, string B)> pairs)
    {
        using var encoder = OnnxEncoder.Create(BundledModels.Resolve(BundledModels.DefaultKey));
        var words = pairs.SelectMany(p => new[] { p.A, p.B }).Distinct(StringComparer.Ordinal).ToList();
        var vectors = encoder.Encode(words, TextRole.Document).Select((v, i) => (words[i], v)).ToDictionary(x => x.Item1, x => x.v, StringComparer.Ordinal);
        return pairs.Select(p => VectorSimilarity.Cosine(vectors[p.A], vectors[p.B])).ToArray();
    }

    // Every training pair scored by the teacher cross-encoder (ONNX), one query's products per call.
    private static List<TrainingPair> TeacherScored(List<TrainingPair> pairs, ModelDirectory teacher, ProductText queryText,
        Dictionary<string, string> text, IProgressSink progress, CancellationToken cancellationToken)
    {
        using var scorer = OnnxCrossEncoder.Create(teacher);
        var queries = pairs.Select(p => p.Query).Distinct(StringComparer.Ordinal).Count();
        var step = progress.Begin($"teacher {teacher.Config.Name} scoring {pairs.Count} pairs of {queries} queries", queries);
        var done = 0;
        var scored = TrainingData.WithTeacherScores(pairs, (query, ids) =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            var scores = scorer.Score(queryText.OfQuery(query), ids.Select(id => text[id]).ToList(), cancellationToken);
            step.Report(++done);
            return scores;
        });
        progress.Note($"teacher {teacher.Config.Name} scored {scored.Count} pairs of {queries} queries");
        return scored;
    }

    // Ranks the whole catalogue with the base model to find each training query's hard negative, over the engine's
    // in-memory catalogue index (the text, metric and vectors a search uses).
    private static List<TrainingPair> MineHardNegatives(List<TrainingPair> pairs, TrainingRun run, Dictionary<string, string> texts,
        ModelDirectory baseModel, WordPieceTokenizer tokenizer, TrainingOptions options, IProgressSink progress, CancellationToken cancellationToken)
    {
        using var encoder = OnnxEncoder.Create(baseModel);
        var embeddings = CatalogueIndex.Embed(run.Products, encoder, run.Text,
            progress.Begin($"mining hard negatives: embedding {run.Products.Count} products", run.Products.Count), cancellationToken);
        using var index = CatalogueIndex.Build(run.Products, embeddings, encoder, new CatalogueIndexOptions { Text = run.Text });
        var queries = pairs.Select(p => p.Query).Distinct(StringComparer.Ordinal).ToList();
        var queryVectors = encoder.Encode(queries.Select(run.Text.OfQuery).ToList(), TextRole.Query,
            progress.Begin($"mining hard negatives: ranking for {queries.Count} queries", queries.Count), cancellationToken);
        var ranked = queries.Select((q, i) => (q, Ids: (IReadOnlyList<string>)index.Vectors.Search(queryVectors[i], 10).Select(h => h.ProductId).ToList()))
            .ToDictionary(x => x.q, x => x.Ids, StringComparer.Ordinal);
        var tokens = new Dictionary<string, long[]>(StringComparer.Ordinal);
        var mined = TrainingData.WithHardNegatives(pairs, q => ranked[q],
            id => tokens.TryGetValue(id, out var t) ? t : tokens[id] = tokenizer.Encode(texts[id], options.MaxProductLength),
            options.RelevantThreshold);
        progress.Note($"hard negatives for {mined.Count(p => p.NegativeTokens is not null)} of {mined.Count(p => p.Relevance >= options.RelevantThreshold)} positives");
        return mined;
    }
}
