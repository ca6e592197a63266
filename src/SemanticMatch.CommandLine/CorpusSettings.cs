using System.ComponentModel;
using SemanticMatch.Core;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Core.Text;
using SemanticMatch.Engine.Indexing;
using SemanticMatch.Index.Vectors;
using SemanticMatch.Search;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SemanticMatch.CommandLine;

/// <summary>
/// Options of commands that build a corpus (index, eval, train-ranker): how its texts are searched, so that an
/// evaluation or a ranker sees the corpus that serving searches.
/// </summary>
public class CorpusSettings : CatalogueSettings
{
    // Properties of the corpus options whose option has another name.
    private static readonly Dictionary<string, string> s_renamed = new(StringComparer.Ordinal)
    {
        [nameof(HnswOptions.M)] = nameof(HnswM),
        [nameof(HnswOptions.EfConstruction)] = nameof(HnswEfConstruction),
        [nameof(HnswOptions.EfSearch)] = nameof(HnswEfSearch),
    };

    /// <summary>Vector similarity.</summary>
    [CommandOption("--metric <METRIC>")]
    [Description("Vector similarity: cosine, dot or euclidean.")]
    [DefaultValue(SimilarityMetric.Cosine)]
    [TypeConverter(typeof(KebabCaseEnumConverter<SimilarityMetric>))]
    public SimilarityMetric Metric { get; init; } = SimilarityMetric.Cosine;

    /// <summary>Exact or approximate vector search.</summary>
    [CommandOption("--vector-index <KIND>")]
    [Description("exact (brute force, exact) or hnsw (approximate graph, faster on large catalogues).")]
    [DefaultValue(VectorIndexKind.Exact)]
    [TypeConverter(typeof(KebabCaseEnumConverter<VectorIndexKind>))]
    public VectorIndexKind VectorIndex { get; init; } = VectorIndexKind.Exact;

    /// <summary>How keyword search analyses text.</summary>
    [CommandOption("--language <LANG>")]
    [Description("How keyword search analyses text: auto (each product and query by its script: Chinese when it holds a CJK ideograph), en or zh (words segmented by SmartCn). Search reads it from the index.")]
    [DefaultValue(TextLanguage.Auto)]
    [TypeConverter(typeof(KebabCaseEnumConverter<TextLanguage>))]
    public TextLanguage Language { get; init; } = TextLanguage.Auto;

    /// <summary>HNSW links per node.</summary>
    [CommandOption("--hnsw-m <M>")]
    [Description("HNSW links per node.")]
    [DefaultValue(HnswOptions.DefaultM)]
    public int HnswM { get; init; } = HnswOptions.DefaultM;

    /// <summary>HNSW candidate list size while building.</summary>
    [CommandOption("--hnsw-ef-construction <EF>")]
    [Description("HNSW candidate list size while building.")]
    [DefaultValue(HnswOptions.DefaultEfConstruction)]
    public int HnswEfConstruction { get; init; } = HnswOptions.DefaultEfConstruction;

    /// <summary>HNSW candidate list size while searching.</summary>
    [CommandOption("--hnsw-ef-search <EF>")]
    [Description("HNSW candidate list size while searching.")]
    [DefaultValue(HnswOptions.DefaultEfSearch)]
    public int HnswEfSearch { get; init; } = HnswOptions.DefaultEfSearch;

    /// <summary>HNSW vector storage.</summary>
    [CommandOption("--hnsw-storage <KIND>")]
    [Description("HNSW vector storage: f32, f16 (half the memory) or i8 (a quarter; lower recall).")]
    [DefaultValue(VectorStorage.F32)]
    [TypeConverter(typeof(KebabCaseEnumConverter<VectorStorage>))]
    public VectorStorage HnswStorage { get; init; } = VectorStorage.F32;

    /// <summary>The corpus these options ask for, over <paramref name="text"/> with the model of <paramref name="modelSource"/>.</summary>
    public CatalogueIndexOptions ToCorpus(ProductText text, string modelSource) => new()
    {
        Text = text,
        Metric = Metric,
        VectorIndex = VectorIndex,
        Hnsw = new HnswOptions { M = HnswM, EfConstruction = HnswEfConstruction, EfSearch = HnswEfSearch, Storage = HnswStorage },
        ModelSource = modelSource,
        Pooling = Pooling?.ToString().ToLowerInvariant(),
        Language = Language,
    };

    /// <summary>The first broken corpus option as a command-line error, else the model options' checks.</summary>
    public override ValidationResult Validate() =>
        OptionNames.Error<CorpusSettings>(ToCorpus(ProductText.Default, "model").Problem(), s_renamed) ?? base.Validate();
}
