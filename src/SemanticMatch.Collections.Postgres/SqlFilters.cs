using System.Globalization;
using Npgsql;

namespace SemanticMatch.Collections.Postgres;

/// <summary>
/// A search's field filters as a SQL condition on the JSONB fields, with the same meaning as
/// <see cref="FieldFilter.Accepts"/>: values compare as the field's text (strings as they are, numbers and booleans as
/// written, null or missing as ""), range bounds compare the field's number (a number, or a string holding one).
/// </summary>
internal static class SqlFilters
{
    private const string NumberPattern = @"^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$";

    /// <summary>" AND ..." for each filter on the records aliased <paramref name="alias"/>, its values added to <paramref name="parameters"/>.</summary>
    public static string Where(IReadOnlyList<FieldFilter> filters, string alias, NpgsqlParameterCollection parameters)
    {
        var sql = new System.Text.StringBuilder();
        foreach (var filter in filters)
        {
            var field = Add(parameters, filter.Field);
            var json = $"{alias}.fields -> {field}";
            var text = $"(CASE jsonb_typeof({json}) WHEN 'string' THEN {alias}.fields ->> {field} WHEN 'null' THEN '' "
                + $"WHEN 'number' THEN ({json})::text WHEN 'boolean' THEN ({json})::text ELSE '' END)";
            if (filter.EqualTo is not null)
            {
                sql.Append(CultureInfo.InvariantCulture, $" AND coalesce({text}, '') = {Add(parameters, filter.EqualTo)}");
            }

            if (filter.In is not null)
            {
                sql.Append(CultureInfo.InvariantCulture, $" AND coalesce({text}, '') = ANY({Add(parameters, filter.In.ToArray())})");
            }

            if (filter.Min is not null || filter.Max is not null)
            {
                var number = $"(CASE jsonb_typeof({json}) WHEN 'number' THEN ({json})::text::float8 "
                    + $"WHEN 'string' THEN (CASE WHEN ({alias}.fields ->> {field}) ~ '{NumberPattern}' THEN ({alias}.fields ->> {field})::float8 END) END)";
                sql.Append(CultureInfo.InvariantCulture, $" AND {number} IS NOT NULL");
                if (filter.Min is { } min)
                {
                    sql.Append(CultureInfo.InvariantCulture, $" AND {number} >= {Add(parameters, min)}");
                }

                if (filter.Max is { } max)
                {
                    sql.Append(CultureInfo.InvariantCulture, $" AND {number} <= {Add(parameters, max)}");
                }
            }
        }

        return sql.ToString();
    }

    private static string Add(NpgsqlParameterCollection parameters, object value)
    {
        parameters.Add(new NpgsqlParameter { Value = value });
        return "$" + parameters.Count;
    }
}
