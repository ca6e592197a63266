using System.Text.Json;
using SemanticMatch.Core;

namespace SemanticMatch.Collections;

/// <summary>One sort key of a search: a field, ascending or descending ("price:desc").</summary>
/// <param name="Field">The field.</param>
/// <param name="Descending">Largest first.</param>
public sealed record SortKey(string Field, bool Descending)
{
    /// <summary>Reads "field", "field:asc" or "field:desc".</summary>
    /// <exception cref="InvalidRequestException">Another direction, or no field.</exception>
    public static SortKey Parse(string text, string where)
    {
        ArgumentNullException.ThrowIfNull(text);
        var colon = text.LastIndexOf(':');
        var field = colon < 0 ? text : text[..colon];
        var direction = colon < 0 ? "asc" : text[(colon + 1)..];
        if (field.Length == 0 || direction is not ("asc" or "desc"))
        {
            throw new InvalidRequestException($"{where}: '{text}' is not FIELD, FIELD:asc or FIELD:desc");
        }

        return new SortKey(field, direction == "desc");
    }
}

/// <summary>
/// A facet of a search: for a field holding text, how many matching records hold each value (the most frequent
/// first); for a field holding numbers, their smallest and largest.
/// </summary>
/// <param name="Values">Value -> count, most frequent first (ties by value); null for a numeric field.</param>
/// <param name="Min">The smallest number; null for a text field.</param>
/// <param name="Max">The largest number; null for a text field.</param>
public sealed record Facet(IReadOnlyDictionary<string, int>? Values, double? Min, double? Max);

/// <summary>
/// What a result page is cut from: the records a search counts as matches (see docs/service.md, "Matches, totals and
/// facets"), sorted by fields when asked, and counted per field value.
/// </summary>
public static class ResultPage
{
    /// <summary>
    /// Orders <paramref name="matches"/> (in relevance order) by <paramref name="keys"/>: numbers compare as numbers,
    /// text ordinally; a record lacking a key's field comes after those holding it; relevance breaks ties (a stable sort).
    /// </summary>
    public static IReadOnlyList<int> Sorted(IReadOnlyList<Record> matches, IReadOnlyList<SortKey> keys)
    {
        ArgumentNullException.ThrowIfNull(matches);
        ArgumentNullException.ThrowIfNull(keys);
        var order = Enumerable.Range(0, matches.Count).ToArray();
        if (keys.Count == 0)
        {
            return order;
        }

        Comparison<int> compare = (a, b) =>
        {
            foreach (var key in keys)
            {
                var c = Compare(matches[a], matches[b], key);
                if (c != 0)
                {
                    return c;
                }
            }

            return a.CompareTo(b);
        };
        Array.Sort(order, compare);
        return order;
    }

    /// <summary>The facets of <paramref name="fields"/> over <paramref name="matches"/>, keeping the <paramref name="maxValues"/> most frequent values of text fields.</summary>
    public static IReadOnlyDictionary<string, Facet> Facets(IReadOnlyList<Record> matches, IReadOnlyList<string> fields, int maxValues)
    {
        ArgumentNullException.ThrowIfNull(matches);
        ArgumentNullException.ThrowIfNull(fields);
        var facets = new Dictionary<string, Facet>(StringComparer.Ordinal);
        foreach (var field in fields)
        {
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            double? min = null, max = null;
            var text = false;
            foreach (var record in matches)
            {
                if (!record.Fields.TryGetValue(field, out var value))
                {
                    continue;
                }

                foreach (var item in value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToArray() : [value])
                {
                    switch (item.ValueKind)
                    {
                        case JsonValueKind.Number:
                            var number = item.GetDouble();
                            min = min is null ? number : Math.Min(min.Value, number);
                            max = max is null ? number : Math.Max(max.Value, number);
                            Count(counts, item.GetRawText());
                            break;
                        case JsonValueKind.String when item.GetString() is { Length: > 0 } s:
                            text = true;
                            Count(counts, s);
                            break;
                        case JsonValueKind.True or JsonValueKind.False:
                            text = true;
                            Count(counts, item.GetRawText());
                            break;
                    }
                }
            }

            facets[field] = !text && min is not null
                ? new Facet(null, min, max)
                : new Facet(counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Take(maxValues)
                    .ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal), null, null);
        }

        return facets;
    }

    private static void Count(Dictionary<string, int> counts, string value) => counts[value] = counts.GetValueOrDefault(value) + 1;

    private static int Compare(Record a, Record b, SortKey key)
    {
        var (x, y) = (Value(a, key.Field), Value(b, key.Field));
        if (x is null || y is null)
        {
            return x is null ? (y is null ? 0 : 1) : -1; // missing last, whichever the direction
        }

        var c = x.Value.Number is { } m && y.Value.Number is { } n ? m.CompareTo(n) : string.CompareOrdinal(x.Value.Text, y.Value.Text);
        return key.Descending ? -c : c;
    }

    private static (double? Number, string Text)? Value(Record record, string field)
    {
        if (!record.Fields.TryGetValue(field, out var value) || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number ? (value.GetDouble(), value.GetRawText()) : (null, record.Text(field));
    }
}
