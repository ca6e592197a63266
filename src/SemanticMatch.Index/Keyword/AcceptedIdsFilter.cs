using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace SemanticMatch.Index.Keyword;

/// <summary>
/// A Lucene filter that keeps the documents whose product id a predicate accepts, so that BM25 ranks within the accepted
/// documents. Asked lazily, document by document (<see cref="DocIdSet.Bits"/>): searched through
/// <see cref="FilteredQuery.QUERY_FIRST_FILTER_STRATEGY"/>, the predicate sees only the documents the query matches,
/// not every document of the index. Ids come from the field cache.
/// </summary>
internal sealed class AcceptedIdsFilter(string idField, Func<string, bool> accept) : Filter
{
    /// <summary>The query, filtered so that only the documents it matches are asked about.</summary>
    public static Query Over(Query query, string idField, Func<string, bool> accept) =>
        new FilteredQuery(query, new AcceptedIdsFilter(idField, accept), FilteredQuery.QUERY_FIRST_FILTER_STRATEGY);

    public override DocIdSet GetDocIdSet(AtomicReaderContext context, IBits acceptDocs) =>
        new LazyIds(context.AtomicReader, FieldCache.DEFAULT.GetTerms(context.AtomicReader, idField, setDocsWithField: false), acceptDocs, accept);

    // Each document's answer is asked when a search reaches it; the iterator (for strategies that need one) asks all.
    private sealed class LazyIds(AtomicReader reader, BinaryDocValues ids, IBits? acceptDocs, Func<string, bool> accept) : DocIdSet, IBits
    {
        private readonly BytesRef _id = new();

        public override IBits Bits => this;

        public int Length => reader.MaxDoc;

        public bool Get(int index)
        {
            if (acceptDocs is not null && !acceptDocs.Get(index))
            {
                return false;
            }

            ids.Get(index, _id);
            return _id.Length > 0 && accept(_id.Utf8ToString());
        }

        public override DocIdSetIterator GetIterator()
        {
            var kept = new FixedBitSet(reader.MaxDoc);
            for (var doc = 0; doc < reader.MaxDoc; doc++)
            {
                if (Get(doc))
                {
                    kept.Set(doc);
                }
            }

            return kept.GetIterator();
        }
    }
}
