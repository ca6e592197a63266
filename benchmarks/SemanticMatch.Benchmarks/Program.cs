using BenchmarkDotNet.Running;
using SemanticMatch.Benchmarks;

switch (args.FirstOrDefault())
{
    case "embed":
        EmbedThroughput.Run();
        return 0;
    case "search":
        await SearchLatency.RunAsync(args.Length > 1 ? args[1] : null);
        return 0;
    case "hnsw":
        HnswAtScale.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000);
        return 0;
    case "train":
        TrainingThroughput.Run();
        return 0;
    case "bulk-write":
        await BulkWrite.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000);
        return 0;
    case "results-page":
        await ResultsPageLatency.RunAsync();
        return 0;
    case "service":
        await ServiceLoad.RunAsync(args.Length > 1 ? args[1] : "hnsw", args.Length > 2 ? args[2..] : []);
        return 0;
    case "postgres" when args.Length > 1:
        await PostgresStoreBenchmark.RunAsync(args[1], args.Length > 2 ? args[2] : "minilm-int8");
        return 0;
    case "postgres-keyword" when args.Length > 1:
        await PostgresStoreBenchmark.RunKeywordAsync(args[1]);
        return 0;
    case "postgres-ranker" when args.Length > 2:
        await PostgresStoreBenchmark.RunRankerAsync(args[1], args[2]);
        return 0;
    case "chinese-files" when args.Length > 1:
        ChinesePairs.WriteFiles(args[1]);
        return 0;
    case "homedepot-split" when args.Length > 1:
        HomeDepotSplit.Write(args[1]);
        return 0;
    case "ranking" when args.Length > 5:
        await RankingAblation.RunAsync(args[1..]);
        return 0;
    case "agreement" when args.Length > 2:
        ScoreAgreement.Run(args[1], args[2]);
        return 0;
    case "model-sizes" when args.Length > 1:
        ModelSizes.Run(args[1..]);
        return 0;
    case "ranker-latency" when args.Length > 1:
        await RankerLatency.RunAsync(args[1..]);
        return 0;
    case "chinese":
        ChinesePairs.Run(args.Length > 1 ? args[1..] : ["minilm-int8"]);
        return 0;
    case "apps":
        Applications.Run(args[1..]);
        return 0;
    case "soak":
        await Soak.RunAsync(TimeSpan.FromMinutes(args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 30),
            args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 7);
        return 0;
    case "micro":
        BenchmarkSwitcher.FromAssembly(typeof(ExactSearchBenchmark).Assembly).Run(args[1..]);
        return 0;
    default:
        Console.Error.WriteLine("usage: dotnet run -c Release --project benchmarks/SemanticMatch.Benchmarks -- embed | search [CROSS_ENCODER_DIR] | hnsw [COUNT] | train | results-page | bulk-write [COUNT] | service [hnsw|exact] [serve options] | postgres CONNECTION [MODEL] | postgres-keyword CONNECTION | postgres-ranker CONNECTION RANKER_DIR | homedepot-split OUT | ranking BI CE TRAIN DEV CACHE [TREES LEAVES [quick] or depth=D [OUT] or cv [FOLDS]] | agreement CACHE_A CACHE_B | ranker-latency RANKER_DIR... | model-sizes [NAME=]MODEL_DIR... | chinese-files OUT | chinese [MODEL | qbqtc=DIR | afqmc=DIR ...] | apps [MODEL] | apps faq MODEL | apps faq-data DIR | soak [MINUTES [SEED]] | micro [BenchmarkDotNet args]");
        return 2;
}
