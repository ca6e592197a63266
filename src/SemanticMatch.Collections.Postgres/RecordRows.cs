using Pgvector;

namespace SemanticMatch.Collections.Postgres;

/// <summary>Records as the records table's columns, embedded and analysed by one generation's searcher.</summary>
internal sealed record RecordRows(string[] Ids, string[] Fields, string[] Texts, Vector[] Embeddings, string?[] Spelling)
{
    /// <summary>Embeds the records (the slow part: done before any transaction opens).</summary>
    public static RecordRows Of(CollectionSearcher searcher, IReadOnlyList<Record> records, CancellationToken cancellationToken)
    {
        var vectors = searcher.Embed(records, cancellationToken);
        var texts = records.Select(searcher.TextOf).ToArray();
        return new RecordRows(
            records.Select(r => r.Id).ToArray(),
            records.Select(r => System.Text.Json.JsonSerializer.Serialize(r.Fields)).ToArray(),
            texts,
            vectors.Select(v => new Vector(v)).ToArray(),
            records.Select((r, i) => searcher.PublicTextOf(r) is var shown && shown != texts[i] ? shown : null).ToArray()); // spelling from shown fields only
    }
}
