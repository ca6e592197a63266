using System.ComponentModel;
using System.Diagnostics;
using SemanticMatch.Collections;
using SemanticMatch.Collections.Postgres;
using SemanticMatch.CommandLine;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Core.Text;
using SemanticMatch.Engine;
using SemanticMatch.Engine.Indexing;
using SemanticMatch.Index.Vectors;
using SemanticMatch.Onnx.Models;
using Spectre.Console;
using Spectre.Console.Cli;
using SemanticMatch.Search;

namespace SemanticMatch.Cli.Commands;

/// <summary><c>semmatch index</c>: embeds a catalogue and writes a searchable index directory.</summary>
internal sealed class IndexCommand : AsyncCommand<IndexCommand.Settings>
{
    internal sealed class Settings : CorpusSettings
    {
        [CommandOption("-p|--products <FILE>")]
        [Description("Products file: CSV (product_id,title[[,description,...]]) or JSON Lines (.jsonl).")]
        public string Products { get; init; } = string.Empty;

        [CommandOption("-o|--out <DIR>")]
        [Description("Index directory to create (must be empty, or an older index, which is replaced).")]
        public string Out { get; init; } = string.Empty;

        [CommandOption("--store <KIND>")]
        [Description("directory (an index directory, --out) or postgres (a collection in a PostgreSQL database with pgvector, --connection and --collection; created if missing, records upserted).")]
        [DefaultValue("directory")]
        public string Store { get; init; } = "directory";

        [CommandOption("--connection <CONNECTION>")]
        [Description("With --store postgres: the Npgsql connection string. Default: $" + StoreSettings.ConnectionVariable + ".")]
        public string? Connection { get; init; }

        [CommandOption("--collection <NAME>")]
        [Description("With --store postgres: the collection to load.")]
        public string? Collection { get; init; }

        [CommandOption("--batch <N>")]
        [Description("With --store postgres: records per INSERT transaction.")]
        [DefaultValue(500)]
        public int Batch { get; init; } = 500;

        /// <summary>The PostgreSQL store's settings with --store postgres.</summary>
        public PostgresStoreOptions Postgres => new()
        {
            ConnectionString = StoreSettings.ConnectionOrVariable(Connection),
            ResumesBuilds = false,
        };

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Products))
            {
                return ValidationResult.Error("--products is required");
            }

            if (Store == "postgres")
            {
                return PostgresProblem() is { } problem ? ValidationResult.Error(problem) : base.Validate();
            }

            if (Store != "directory")
            {
                return ValidationResult.Error($"--store must be directory or postgres (got '{Store}')");
            }

            if (string.IsNullOrWhiteSpace(Out))
            {
                return ValidationResult.Error("--out is required");
            }

            return base.Validate();
        }

        private string? PostgresProblem() => this switch
        {
            { Out.Length: > 0 } => "--out is for index directories; --store postgres loads --collection",
            _ when !CollectionSettings.IsValidName(Collection) => "--store postgres needs --collection NAME (1-64 of a-z, 0-9, '-', '_')",
            { Postgres.ConnectionString.Length: 0 } => $"--store postgres needs --connection or ${StoreSettings.ConnectionVariable}",
            { Batch: < 1 or > 10_000 } => "--batch must be between 1 and 10000",
            { NoUnits: true } or { NoHtml: true } or { NoUnicode: true } => "--no-units, --no-html and --no-unicode apply to index directories only (collections normalise text one way)",
            { Pooling: not null } => "--pooling applies to index directories only",
            { HnswStorage: not VectorStorage.F32 } => "--hnsw-storage applies to index directories only (pgvector stores float32)",
            _ => null,
        };
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Store == "postgres")
        {
            return await LoadIntoPostgresAsync(settings, cancellationToken);
        }

        CatalogueIndex.CheckTarget(settings.Out);
        var text = settings.ToProductText();
        var products = Inputs.Products(settings.Products, settings.ToReadOptions());
        Inputs.CheckFields(text, products, settings.Products);
        using var encoder = Inputs.Encoder(settings);
        var options = settings.ToCorpus(text, BundledModels.Location(settings.Model));
        var stopwatch = Stopwatch.StartNew();
        var embeddings = SpectreProgressSink.Run(sink =>
            CatalogueIndex.Embed(products, encoder, options.Text, sink.Begin($"embedding {products.Count} products", products.Count), cancellationToken));
        var embedSeconds = stopwatch.Elapsed.TotalSeconds;
        Consoles.Error.Status().Start("writing index", _ =>
            CatalogueIndex.Write(products, embeddings, encoder, options, settings.Out, Path.GetFullPath(settings.Products)));
        Consoles.Out.MarkupLineInterpolated(
            $"indexed [green]{products.Count}[/] products into [blue]{settings.Out}[/] with {encoder.Model.Config.Name} ({products.Count / embedSeconds:F0} products/s embedding, {stopwatch.Elapsed.TotalSeconds:F1} s total)");
        return 0;
    }

    // Bulk load: the collection is created (or must have these settings), then records are embedded and upserted in
    // batches, each one multi-row INSERT in its own transaction (PGlite breaks on COPY FROM STDIN; see docs/results/postgres.md).
    private static async Task<int> LoadIntoPostgresAsync(Settings settings, CancellationToken cancellationToken)
    {
        var text = settings.ToProductText();
        var products = Inputs.Products(settings.Products, settings.ToReadOptions());
        Inputs.CheckFields(text, products, settings.Products);
        using var models = new ModelProvider();
        await using var store = await PostgresCollectionStore.OpenAsync(models, settings.Postgres, cancellationToken);
        var collection = settings.Collection!;
        await store.CreateAsync(collection, new CollectionSettings
        {
            Model = settings.Model ?? BundledModels.DefaultKey,
            Fields = text.Fields,
            Metric = settings.Metric,
            VectorIndex = settings.VectorIndex,
            Language = settings.Language,
        }, cancellationToken);
        var stopwatch = Stopwatch.StartNew();
        await SpectreProgressSink.RunAsync(sink => BulkLoader.LoadAsync(store, collection, products.Select(Record.FromProduct), settings.Batch,
            sink.Begin($"loading {products.Count} products into {store.Describe()} '{collection}'", products.Count), cancellationToken));
        Consoles.Out.MarkupLineInterpolated(
            $"loaded [green]{products.Count}[/] products into collection [blue]{collection}[/] ({products.Count / stopwatch.Elapsed.TotalSeconds:F0} records/s including embedding, {stopwatch.Elapsed.TotalSeconds:F1} s)");
        return 0;
    }
}
