using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace SemanticMatch.Index.Keyword;

/// <summary>
/// A Lucene filter that keeps the documents whose product id a predicate accepts, so that BM25 ranks within the accepted
/// documents (ids come from the field cache: one pass over a segment's documents per search).
/// </summary>
internal sealed class AcceptedIdsFilter(string idField, Func<string, bool> accept) : Filter
{
    public override DocIdSet GetDocIdSet(AtomicReaderContext context, IBits acceptDocs)
    {
        var reader = context.AtomicReader;
        var ids = FieldCache.DEFAULT.GetTerms(reader, idField, setDocsWithField: false);
        var kept = new FixedBitSet(reader.MaxDoc);
        var id = new BytesRef();
        for (var doc = 0; doc < reader.MaxDoc; doc++)
        {
            if (acceptDocs is not null && !acceptDocs.Get(doc))
            {
                continue;
            }

            ids.Get(doc, id);
            if (id.Length > 0 && accept(id.Utf8ToString()))
            {
                kept.Set(doc);
            }
        }

        return kept;
    }
}
