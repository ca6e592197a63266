using System.Text.Json;
using SemanticMatch.Collections;
using SemanticMatch.Core;
using SemanticMatch.Core.Fusion;
using SemanticMatch.Core.Similarity;
using SemanticMatch.Core.Text;
using SemanticMatch.Engine;
using SemanticMatch.Engine.Indexing;
using SemanticMatch.Search;

namespace SemanticMatch.Server.Api;

/// <summary>A request over one of the service's limits (answered 422, naming the limit).</summary>
public sealed class RequestLimitException(string message) : InvalidRequestException(message);

/// <summary>Maps API bodies onto the engine's options records, with messages that name the JSON field.</summary>
internal static class RequestMapping
{
    /// <summary>Most records in one upsert request.</summary>
    public const int MaxBatch = 1000;

    /// <summary>Most texts in one match, embed, embeddings or rerank request.</summary>
    public const int MaxTexts = 256;

    /// <summary>Longest text (query, text, input or document) a route that embeds or scores accepts, in characters.</summary>
    public const int MaxTextLength = 10_000;

    /// <summary>
    /// The one text limit of every route that embeds or scores: at most <see cref="MaxTexts"/> texts of at most
    /// <see cref="MaxTextLength"/> characters each (and the query, when there is one).
    /// </summary>
    /// <exception cref="RequestLimitException">Over a limit (named with the field and the position).</exception>
    public static void CheckTexts(string field, IReadOnlyList<string> texts, string? query = null, int maxTexts = MaxTexts)
    {
        if (texts.Count > maxTexts)
        {
            throw new RequestLimitException($"{field}: {texts.Count} texts; at most {maxTexts}");
        }

        if (query is { Length: > MaxTextLength })
        {
            throw new RequestLimitException($"query: {query.Length} characters; at most {MaxTextLength}");
        }

        for (var i = 0; i < texts.Count; i++)
        {
            if (texts[i].Length > MaxTextLength)
            {
                throw new RequestLimitException($"{field}[{i}]: a text of {texts[i].Length} characters; at most {MaxTextLength}");
            }
        }
    }

    /// <summary>The settings of a new collection: the defaults with what the body gives.</summary>
    public static CollectionSettings ToSettings(CreateCollectionRequest? body) => WithChanges(new CollectionSettings(), body);

    /// <summary>The settings of a new generation: <paramref name="current"/> with what the body gives changed.</summary>
    public static CollectionSettings WithChanges(CollectionSettings current, CreateCollectionRequest? body) => body is null ? current : current with
    {
        Model = body.Model ?? current.Model,
        Fields = body.Fields ?? current.Fields,
        Metric = body.Metric is null ? current.Metric : Parse<SimilarityMetric>(body.Metric, "metric"),
        VectorIndex = body.VectorIndex is null ? current.VectorIndex : Parse<VectorIndexKind>(body.VectorIndex, "vectorIndex"),
        Reranker = body.Reranker ?? current.Reranker,
        Ranker = body.Ranker ?? current.Ranker,
        PrivateFields = body.PrivateFields ?? current.PrivateFields,
        Language = body.Language is null ? current.Language : Parse<TextLanguage>(body.Language, "language"),
    };

    public static CollectionResponse ToResponse(CollectionInfo info) => new(
        info.Name, info.Settings.Model, info.Settings.Fields, Name(info.Settings.Metric), Name(info.Settings.VectorIndex),
        info.Settings.Reranker, info.Settings.PrivateFields, info.Count, info.Dimension, info.BytesOnDisk, Name(info.Settings.Language), info.Settings.Ranker,
        info.Generation, info.Building is { } b ? new BuildingResponse(b.Generation, b.Settings.Model, Math.Round(b.Progress, 4), b.Done, b.Total) : null,
        info.BuildFailure);

    public static IReadOnlyList<Record> ToRecords(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidRequestException("the body must be a JSON array of records: [{\"id\": \"p1\", \"title\": \"...\"}, ...]");
        }

        var count = body.GetArrayLength();
        if (count > MaxBatch)
        {
            throw new RequestLimitException($"{count} records in one request; at most {MaxBatch} (send several requests)");
        }

        return body.EnumerateArray().Select((element, i) => Record.FromJson(element, $"record {i + 1}")).ToList();
    }

    public static CollectionQuery ToQuery(SearchRequest body)
    {
        var defaults = new CollectionQuery { Query = body.Query ?? string.Empty };
        if (body.Limit is { } limit && body.Top is { } top && limit != top)
        {
            throw new InvalidRequestException($"limit: {limit}, but top is {top}; they mean the same, give one");
        }

        var query = defaults with
        {
            Top = body.Limit ?? body.Top ?? defaults.Top,
            Offset = body.Offset ?? defaults.Offset,
            Sort = (body.Sort ?? []).Select((key, i) => SortKey.Parse(key ?? string.Empty, $"sort[{i}]")).ToList(),
            Facets = (body.Facets ?? []).Select((field, i) => string.IsNullOrWhiteSpace(field) ? throw new InvalidRequestException($"facets[{i}]: give a field name") : field).ToList(),
            FacetValues = body.FacetValues ?? defaults.FacetValues,
            Highlight = body.Highlight ?? defaults.Highlight,
            Method = body.Method is null ? defaults.Method : Parse<SearchMethod>(body.Method, "method"),
            Fusion = new FusionOptions
            {
                Method = body.Fusion is null ? defaults.Fusion.Method : Parse<FusionMethod>(body.Fusion, "fusion"),
                DenseWeight = body.DenseWeight ?? defaults.Fusion.DenseWeight,
            },
            Rerank = body.Rerank ?? defaults.Rerank,
            RerankDepth = body.RerankDepth ?? defaults.RerankDepth,
            Filters = (body.Filters ?? []).Select(ToFilter).ToList(),
            MinScore = body.MinScore,
            MinProbability = body.MinProbability,
            SpellCorrection = body.SpellCorrection ?? defaults.SpellCorrection,
            Explain = body.Explain ?? defaults.Explain,
        };
        if (query.Problem() is { } problem)
        {
            // The request's field names are the query's property names in camel case ("denseWeight").
            var message = $"{JsonNamingPolicy.CamelCase.ConvertName(problem.Property)}: {problem.Rule}";
            throw problem.IsLimit ? new RequestLimitException(message) : new InvalidRequestException(message);
        }

        return query;
    }

    public static string Name<T>(T value)
        where T : struct, Enum => value.ToString().ToLowerInvariant();

    public static T Parse<T>(string text, string field)
        where T : struct, Enum =>
        Enum.TryParse<T>(text, ignoreCase: true, out var value) && Enum.IsDefined(value) && !char.IsDigit(text.FirstOrDefault())
            ? value
            : throw new InvalidRequestException($"{field}: '{text}' is not one of: {string.Join(", ", Enum.GetValues<T>().Select(Name))}");

    private static FieldFilter ToFilter(SearchFilter? filter, int index)
    {
        var where = $"filters[{index}]";
        if (filter is null || string.IsNullOrWhiteSpace(filter.Field))
        {
            throw new InvalidRequestException($"{where}: give the field to filter on");
        }

        if (filter.EqualTo is null && filter.In is null && filter.Min is null && filter.Max is null)
        {
            throw new InvalidRequestException($"{where}: give \"equals\", \"in\", \"min\" or \"max\"");
        }

        return new FieldFilter
        {
            Field = filter.Field,
            EqualTo = filter.EqualTo is { } value ? Text(value, where) : null,
            In = filter.In?.Select(v => Text(v, where)).ToList(),
            Min = filter.Min,
            Max = filter.Max,
        };
    }

    private static string Text(JsonElement value, string where) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => throw new InvalidRequestException($"{where}: compare with a string, number or boolean"),
    };
}
