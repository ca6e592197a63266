using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using SemanticMatch.Core;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Core.Text;
using SemanticMatch.Search;

namespace SemanticMatch.Collections;

/// <summary>How a collection embeds, indexes and returns its records.</summary>
public sealed partial record CollectionSettings
{
    /// <summary>The bi-encoder: "minilm", "minilm-int8", "arctic", "arctic-int8" or a model directory.</summary>
    public string Model { get; init; } = ModelNames.Default;

    /// <summary>Fields embedded and keyword-indexed, in order.</summary>
    public IReadOnlyList<string> Fields { get; init; } = ["title"];

    /// <summary>Vector similarity (cosine, dot or euclidean).</summary>
    public SimilarityMetric Metric { get; init; } = SimilarityMetric.Cosine;

    /// <summary>Exact or HNSW vectors.</summary>
    public VectorIndexKind VectorIndex { get; init; } = VectorIndexKind.Exact;

    /// <summary>A cross-encoder that re-ranks when a search asks for it; null = none.</summary>
    public string? Reranker { get; init; }

    /// <summary>
    /// A learned ranker directory (from <c>semmatch train-ranker</c>) that orders the top of every hybrid search and gives
    /// each hit a probability of relevance; null = none. When it reads a cross-encoder's scores, <see cref="Reranker"/>
    /// must name that cross-encoder. Embedded store only.
    /// </summary>
    public string? Ranker { get; init; }

    /// <summary>How keyword search analyses text: each record and query by its script (auto), English or Chinese.</summary>
    public TextLanguage Language { get; init; } = TextLanguage.Auto;

    /// <summary>Fields that may be indexed (if listed in <see cref="Fields"/>) but are never returned.</summary>
    public IReadOnlyList<string> PrivateFields { get; init; } = [];

    /// <summary>Checks every value; returns the first problem or null.</summary>
    public OptionProblem? Problem() => this switch
    {
        { Model: null or "" } => new(nameof(Model), "must name a model"),
        { Fields: null or { Count: 0 } } => new(nameof(Fields), "must list at least one field"),
        _ when Fields.Any(f => string.IsNullOrWhiteSpace(f) || f == Record.IdProperty) => new(nameof(Fields), "must be non-empty field names other than 'id'"),
        { Metric: SimilarityMetric.Jaccard } => new(nameof(Metric), "must be cosine, dot or euclidean (jaccard is lexical)"),
        _ when PrivateFields is null || PrivateFields.Contains(Record.IdProperty) => new(nameof(PrivateFields), "cannot hide 'id'"),
        _ => null,
    };

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary>The settings as stores keep them (and compare them: equal settings give equal text).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, s_json);

    /// <summary>Reads settings written by <see cref="ToJson"/>.</summary>
    public static CollectionSettings FromJson(string json) =>
        JsonSerializer.Deserialize<CollectionSettings>(json, s_json) ?? throw new JsonException("collection settings are null");

    /// <summary>Whether <paramref name="name"/> can name a collection: 1-64 of a-z, 0-9, '-', '_', starting with a letter or digit.</summary>
    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name);

    /// <summary>Throws the first problem of <see cref="Problem"/>, naming the setting.</summary>
    /// <exception cref="InvalidRequestException">A setting is broken.</exception>
    public void Check()
    {
        if (Problem() is { } problem)
        {
            throw new InvalidRequestException($"{problem.Property}: {problem.Rule}");
        }
    }

    /// <summary>Throws when <paramref name="name"/> cannot name a collection (see <see cref="IsValidName"/>).</summary>
    /// <exception cref="InvalidRequestException">It cannot.</exception>
    public static void CheckName(string name)
    {
        if (!IsValidName(name))
        {
            throw new InvalidRequestException(
                $"'{name}' is not a valid collection name: use 1-64 of a-z, 0-9, '-' and '_', starting with a letter or digit");
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
