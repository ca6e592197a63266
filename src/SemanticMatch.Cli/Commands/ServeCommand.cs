using System.ComponentModel;
using SemanticMatch.Cli.Infrastructure;
using SemanticMatch.CommandLine;
using SemanticMatch.Collections;
using SemanticMatch.Collections.Feedback;
using SemanticMatch.Collections.Postgres;
using SemanticMatch.Server;
using Spectre.Console;
using Spectre.Console.Cli;
using SemanticMatch.Collections.Embedded;

namespace SemanticMatch.Cli.Commands;

/// <summary><c>semmatch serve</c>: runs the matching service over a data directory or a PostgreSQL database.</summary>
internal sealed class ServeCommand : AsyncCommand<ServeCommand.Settings>
{
    internal sealed class Settings : StoreSettings
    {
        [CommandOption("--urls <URLS>")]
        [Description("Addresses to listen on, ';'-separated. Bound to 127.0.0.1 unless you say otherwise.")]
        [DefaultValue("http://127.0.0.1:8080")]
        public string Urls { get; init; } = "http://127.0.0.1:8080";

        [CommandOption("--config <FILE>")]
        [Description("An appsettings-style JSON file (Kestrel endpoints and TLS certificates, logging levels).")]
        public string? Config { get; init; }

        [CommandOption("--snapshot-after <BYTES>")]
        [Description("Write a collection's snapshot and empty its write-ahead log once the log is this large.")]
        [DefaultValue(64L << 20)]
        public long SnapshotAfter { get; init; } = 64L << 20;

        [CommandOption("--rate-limit <N>")]
        [Description("Requests per second each API key (or client address, without keys) may send, bursts of twice that; over it: 429 with Retry-After. 0 = no limit.")]
        [DefaultValue(0)]
        public int RateLimit { get; init; }

        [CommandOption("--max-concurrent <N>")]
        [Description("Requests that run at once on the search, similar, records, match and embed routes (default: twice the cores).")]
        public int? MaxConcurrent { get; init; }

        [CommandOption("--max-queue <N>")]
        [Description("Requests that may wait for a slot; beyond them the service answers 503 with Retry-After at once.")]
        [DefaultValue(256)]
        public int MaxQueue { get; init; } = 256;

        [CommandOption("--keyword-ranking <RANKING>")]
        [Description("With --store postgres: bm25 (computed in SQL, as Lucene scores) or ts-rank-cd (PostgreSQL's cover density).")]
        [DefaultValue(Collections.Postgres.KeywordRanking.Bm25)]
        [TypeConverter(typeof(KebabCaseEnumConverter<KeywordRanking>))]
        public KeywordRanking KeywordRanking { get; init; } = Collections.Postgres.KeywordRanking.Bm25;

        [CommandOption("--ef-search <N>")]
        [Description("With --store postgres: HNSW candidates per query (hnsw.ef_search; at least the hits asked).")]
        [DefaultValue(PostgresStoreOptions.DefaultEfSearch)]
        public int EfSearch { get; init; } = PostgresStoreOptions.DefaultEfSearch;

        [CommandOption("--build-lease <SECONDS>")]
        [Description("With --store postgres: how long a replica building a model generation holds it without renewing; another replica resumes the build of one that died after this.")]
        [DefaultValue(30)]
        public int BuildLease { get; init; } = 30;

        /// <inheritdoc />
        public override PostgresStoreOptions? Postgres => base.Postgres is { } options
            ? options with
            {
                KeywordRanking = KeywordRanking,
                EfSearch = EfSearch,
                BuildLease = TimeSpan.FromSeconds(BuildLease),
                ResumesBuilds = true,
            }
            : null;

        [CommandOption("--micro-batch <N>")]
        [Description("Gather up to N query embeddings of concurrent requests into one encoder call (waiting at most 2 ms); 1 = off.")]
        [DefaultValue(1)]
        public int MicroBatch { get; init; } = 1;

        [CommandOption("--log-retention-days <DAYS>")]
        [Description("Days logged searches and events are kept (the judgments for retraining are made from them).")]
        [DefaultValue(90)]
        public int LogRetentionDays { get; init; } = 90;

        [CommandOption("--no-query-text")]
        [Description("Log searches without the query text (no judgments can then be made from them).")]
        public bool NoQueryText { get; init; }

        public override ValidationResult Validate()
        {
            if (LogRetentionDays < 1)
            {
                return ValidationResult.Error("--log-retention-days must be at least 1");
            }

            if (EfSearch is < 1 or > 1000)
            {
                return ValidationResult.Error("--ef-search must be between 1 and 1000");
            }

            if (Store != "postgres" && (KeywordRanking != Collections.Postgres.KeywordRanking.Bm25 || EfSearch != PostgresStoreOptions.DefaultEfSearch))
            {
                return ValidationResult.Error("--keyword-ranking and --ef-search need --store postgres");
            }

            if (BuildLease is < 1 or > 3600)
            {
                return ValidationResult.Error("--build-lease must be between 1 and 3600 seconds");
            }

            if (Store != "postgres" && BuildLease != 30)
            {
                return ValidationResult.Error("--build-lease needs --store postgres");
            }

            if (MicroBatch < 1)
            {
                return ValidationResult.Error("--micro-batch must be at least 1");
            }

            if (MaxConcurrent < 1)
            {
                return ValidationResult.Error("--max-concurrent must be at least 1");
            }

            if (MaxQueue < 0)
            {
                return ValidationResult.Error("--max-queue must be >= 0");
            }

            if (RateLimit < 0)
            {
                return ValidationResult.Error("--rate-limit must be >= 0");
            }

            if (SnapshotAfter < 1)
            {
                return ValidationResult.Error("--snapshot-after must be at least 1");
            }

            foreach (var url in Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                {
                    return ValidationResult.Error($"--urls: '{url}' is not an http:// or https:// address");
                }
            }

            return Config is not null && !File.Exists(Config)
                ? ValidationResult.Error($"--config: '{Config}' does not exist")
                : base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await SemanticMatchServer.RunAsync(new ServerOptions
        {
            DataDirectory = settings.DataDirectory,
            Postgres = settings.Postgres,
            Urls = settings.Urls,
            ConfigFile = settings.Config,
            DemoFolder = Path.GetDirectoryName(DemoCatalogue.ProductsPath),
            Collections = new CollectionOptions { SnapshotAfterLogBytes = settings.SnapshotAfter },
            RequestsPerSecondPerKey = settings.RateLimit,
            MaxConcurrent = settings.MaxConcurrent ?? 2 * Environment.ProcessorCount,
            MaxQueue = settings.MaxQueue,
            MicroBatch = settings.MicroBatch,
            Traffic = new TrafficLogOptions { Retention = TimeSpan.FromDays(settings.LogRetentionDays), LogQueryText = !settings.NoQueryText },
        }, Console.Out, cancellationToken);
        return 0;
    }
}
