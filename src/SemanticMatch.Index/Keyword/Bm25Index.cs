using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Cn.Smart;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.Miscellaneous;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Analysis.Util;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Queries;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Lucene.Net.Util;
using SemanticMatch.Core;
using SemanticMatch.Core.Keyword;
using SemanticMatch.Core.Text;
using LuceneDirectory = Lucene.Net.Store.Directory;

namespace SemanticMatch.Index.Keyword;

/// <summary>
/// Keyword search with Okapi BM25 (k1 = 1.2, b = 0.75) on Lucene.Net, English analysis (lower-case, stop words,
/// Porter stemming). This is the "traditional keyword matching" baseline and the lexical half of hybrid search.
/// </summary>
/// <remarks>
/// Scores are BM25 sums over query terms: unbounded, comparable only within one query. Searches may run concurrently;
/// writes (<see cref="Upsert"/>, <see cref="Remove"/>, <see cref="Commit"/>) must not overlap each other.
/// </remarks>
public sealed class Bm25Index : IDisposable
{
    private const string IdField = "id";
    private const string TextField = "text";
    private const string SpellField = "spell";
    private const LuceneVersion Version = LuceneVersion.LUCENE_48;

    private readonly LuceneDirectory _directory;
    private static readonly FieldType s_spellFieldType = new()
    {
        IsIndexed = true,
        IsTokenized = true,
        OmitNorms = true,
        IndexOptions = IndexOptions.DOCS_ONLY,
    };

    // "text" is stemmed for BM25 (English, or Chinese segmented by SmartCn); "spell" keeps the surface words
    // (lower-cased) for spelling suggestions.
    private readonly Analyzer _english = new PerFieldAnalyzerWrapper(new EnglishAnalyzer(Version),
        new Dictionary<string, Analyzer> { [SpellField] = new StandardAnalyzer(Version, CharArraySet.Empty) });
    private readonly Analyzer _chinese = new PerFieldAnalyzerWrapper(new SmartChineseAnalyzer(Version),
        new Dictionary<string, Analyzer> { [SpellField] = new StandardAnalyzer(Version, CharArraySet.Empty) });
    private readonly TextLanguage _language;
    private readonly BM25Similarity _similarity = new();
    private readonly IndexWriter? _writer;
    private readonly System.Threading.Lock _searcherLock = new();
    private DirectoryReader? _reader;
    private IndexSearcher? _searcher;

    private Bm25Index(LuceneDirectory directory, bool writable, TextLanguage language)
    {
        _directory = directory;
        _language = language;
        if (writable)
        {
            var config = new IndexWriterConfig(Version, _english)
            {
                Similarity = _similarity,
                OpenMode = OpenMode.CREATE_OR_APPEND,
            };
            _writer = new IndexWriter(directory, config);
        }
    }

    /// <summary>A writable index held in memory (for evaluation, live collections and tests).</summary>
    public static Bm25Index CreateInMemory(TextLanguage language = TextLanguage.Auto) => new(new RAMDirectory(), writable: true, language);

    /// <summary>Creates or opens a writable index in <paramref name="path"/>.</summary>
    public static Bm25Index OpenWritable(string path, TextLanguage language = TextLanguage.Auto) => new(FSDirectory.Open(path), writable: true, language);

    /// <summary>Opens an existing index for searching only (<paramref name="language"/> must be the one it was written with).</summary>
    /// <exception cref="KeywordIndexException">No index exists there.</exception>
    public static Bm25Index OpenReadOnly(string path, TextLanguage language = TextLanguage.Auto)
    {
        var directory = FSDirectory.Open(path);
        if (!DirectoryReader.IndexExists(directory))
        {
            directory.Dispose();
            throw new KeywordIndexException($"{path}: no keyword index found");
        }

        return new Bm25Index(directory, writable: false, language);
    }

    /// <summary>Number of searchable products (after the last commit).</summary>
    public int Count => Searcher().IndexReader.NumDocs;

    /// <summary>Adds a product or replaces its text.</summary>
    /// <param name="id">The product.</param>
    /// <param name="text">Its text, searched by BM25.</param>
    /// <param name="spellingText">The words spelling correction may suggest from it (null = those of <paramref name="text"/>), so words of hidden fields can be searched but are never suggested.</param>
    public void Upsert(string id, string text, string? spellingText = null)
    {
        var writer = Writer();
        writer.UpdateDocument(new Term(IdField, id), new Document
        {
            new StringField(IdField, id, Field.Store.YES),
            new TextField(TextField, text, Field.Store.NO),
            new Field(SpellField, spellingText ?? text, s_spellFieldType),
        }, AnalyzerFor(text));
    }

    /// <summary>Removes a product (visible after <see cref="Commit"/>).</summary>
    public void Remove(string id) => Writer().DeleteDocuments(new Term(IdField, id));

    /// <summary>Makes pending changes durable and visible to searches.</summary>
    public void Commit()
    {
        Writer().Commit();
        lock (_searcherLock)
        {
            _reader?.Dispose();
            _reader = null;
            _searcher = null;
        }
    }

    /// <summary>The best <paramref name="k"/> products by BM25, best first; empty when no query term matches.</summary>
    public IReadOnlyList<SearchHit> Search(string query, int k) => Search(query, k, null);

    /// <summary>The best <paramref name="k"/> products among those <paramref name="accept"/> keeps (all when null), best first.</summary>
    public IReadOnlyList<SearchHit> Search(string query, int k, Func<string, bool>? accept)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var luceneQuery = BuildQuery(query);
        if (luceneQuery is null)
        {
            return [];
        }

        var searcher = Searcher();
        return Collect(searcher, searcher.Search(accept is null ? luceneQuery : AcceptedIdsFilter.Over(luceneQuery, IdField, accept), k));
    }

    /// <summary>How many products among those <paramref name="accept"/> keeps (all when null) hold a word of <paramref name="query"/>.</summary>
    public int CountMatches(string query, Func<string, bool>? accept)
    {
        var luceneQuery = BuildQuery(query);
        if (luceneQuery is null)
        {
            return 0;
        }

        var searcher = Searcher();
        return searcher.Search(accept is null ? luceneQuery : AcceptedIdsFilter.Over(luceneQuery, IdField, accept), 1).TotalHits;
    }

    /// <summary>
    /// BM25 scores of the given products for <paramref name="query"/> (0 for a product no query term matches), so a
    /// fixed candidate set can be re-ranked; unknown ids are left out.
    /// </summary>
    public IReadOnlyDictionary<string, float> ScoreCandidates(string query, IReadOnlyCollection<string> ids)
    {
        var scores = new Dictionary<string, float>(StringComparer.Ordinal);
        var luceneQuery = BuildQuery(query);
        var searcher = Searcher();
        if (luceneQuery is not null && ids.Count > 0)
        {
            var filter = new TermsFilter(ids.Select(id => new Term(IdField, id)).ToList());
            foreach (var hit in Collect(searcher, searcher.Search(luceneQuery, filter, ids.Count)))
            {
                scores[hit.ProductId] = hit.Score;
            }
        }

        foreach (var id in ids)
        {
            scores.TryAdd(id, 0);
        }

        return scores;
    }

    /// <summary>
    /// Each analysed query term's part of the BM25 score of product <paramref name="id"/> for <paramref name="query"/>
    /// (0 for a term the product lacks), with the query word it came from; the parts sum to the product's score
    /// (BM25 in Lucene has no coordination or query normalisation factor).
    /// </summary>
    public IReadOnlyList<TermContribution> ExplainTerms(string query, string id)
    {
        var searcher = Searcher();
        var only = new TermsFilter(new Term(IdField, id));
        var contributions = new List<TermContribution>();
        foreach (var (word, term) in AnalyzedTerms(query))
        {
            var top = searcher.Search(new TermQuery(new Term(TextField, term)), only, 1);
            contributions.Add(new TermContribution(word, term, top.ScoreDocs.Length == 0 ? 0 : top.ScoreDocs[0].Score));
        }

        return contributions;
    }

    // The distinct terms BuildQuery searches for, each with the query word it was analysed from.
    private List<(string Word, string Term)> AnalyzedTerms(string text)
    {
        var terms = new List<(string Word, string Term)>();
        using var stream = AnalyzerFor(text).GetTokenStream(TextField, text);
        var term = stream.AddAttribute<ICharTermAttribute>();
        var offset = stream.AddAttribute<IOffsetAttribute>();
        stream.Reset();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (stream.IncrementToken())
        {
            if (seen.Add(term.ToString()))
            {
                terms.Add((text[offset.StartOffset..offset.EndOffset], term.ToString()));
            }
        }

        stream.End();
        return terms;
    }

    /// <summary>
    /// Replaces each query word that no product contains by the closest catalogue word (<see cref="SpellingRules"/>);
    /// other words stay as they are.
    /// </summary>
    /// <remarks>
    /// Hand-written on Lucene's <see cref="FuzzyTermsEnum"/> because Lucene.Net.Suggest (DirectSpellChecker) is not served
    /// by our package registry.
    /// </remarks>
    public string CorrectSpelling(string query)
    {
        var reader = Searcher().IndexReader;
        var terms = MultiFields.GetTerms(reader, SpellField);
        if (terms is null)
        {
            return query;
        }

        var corrections = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var word in SpellingRules.CorrectableWords(query))
        {
            if (reader.DocFreq(new Term(SpellField, word)) == 0 && Suggest(terms, word) is { } better)
            {
                corrections[word] = better;
            }
        }

        return SpellingRules.Apply(query, corrections);
    }

    /// <summary>
    /// The spelling words (the shown fields' words, lower-cased) that start with any of <paramref name="prefixes"/>,
    /// with how many documents hold each; the first <paramref name="scan"/> in term order (a short prefix can have many).
    /// One pass over the terms dictionary, intersected with the automaton of the prefixes followed by anything (as
    /// Lucene's own prefix and fuzzy queries do), however many prefixes (a typo's variants are a few hundred).
    /// </summary>
    public IReadOnlyList<(string Word, int Records)> WordsStartingWith(IReadOnlyList<string> prefixes, int scan)
    {
        ArgumentNullException.ThrowIfNull(prefixes);
        var terms = MultiFields.GetTerms(Searcher().IndexReader, SpellField);
        var words = new List<(string, int)>();
        var given = prefixes.Where(p => p.Length > 0).Distinct(StringComparer.Ordinal).Select(p => new BytesRef(p)).ToList();
        if (terms is null || given.Count == 0)
        {
            return words;
        }

        given.Sort(BytesRef.UTF8SortedAsUnicodeComparer);
        var automaton = Lucene.Net.Util.Automaton.BasicOperations.Concatenate(
            Lucene.Net.Util.Automaton.BasicAutomata.MakeStringUnion(given), Lucene.Net.Util.Automaton.BasicAutomata.MakeAnyString());
        var iterator = new Lucene.Net.Util.Automaton.CompiledAutomaton(automaton).GetTermsEnum(terms);
        while (words.Count < scan && iterator.MoveNext())
        {
            words.Add((iterator.Term.Utf8ToString(), iterator.DocFreq));
        }

        return words;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _reader?.Dispose();
        _writer?.Dispose();
        _english.Dispose();
        _chinese.Dispose();
        _directory.Dispose();
    }

    private static string? Suggest(Terms terms, string word)
    {
        var maxEdits = SpellingRules.MaxEdits(word);
        var attributes = new AttributeSource();
        var boost = attributes.AddAttribute<IBoostAttribute>();
        var fuzzy = new FuzzyTermsEnum(terms, attributes, new Term(SpellField, word), maxEdits, prefixLength: 1, transpositions: true);
        string? best = null;
        (float Boost, int Frequency) bestKey = (float.MinValue, 0);
        while (fuzzy.MoveNext())
        {
            var candidate = fuzzy.Term;
            var key = (boost.Boost, fuzzy.DocFreq);
            if (key.Boost > bestKey.Boost || (key.Boost == bestKey.Boost && key.DocFreq > bestKey.Frequency))
            {
                best = candidate.Utf8ToString();
                bestKey = key;
            }
        }

        return best;
    }

    // The language's analyzer; with Auto, Chinese for a text holding a CJK ideograph (products and queries alike, so
    // a Chinese query meets Chinese products' words; Latin words are lower-cased and Porter-stemmed by both).
    private Analyzer AnalyzerFor(string text) => _language switch
    {
        TextLanguage.Zh => _chinese,
        TextLanguage.En => _english,
        _ => Scripts.HasCjk(text) ? _chinese : _english,
    };

    // Equal scores in id order, as every retriever of ours orders them (Lucene's own order is the document order).
    private static List<SearchHit> Collect(IndexSearcher searcher, TopDocs top) =>
        top.ScoreDocs.Select(d => new SearchHit(searcher.Doc(d.Doc).Get(IdField, System.Globalization.CultureInfo.InvariantCulture), d.Score))
            .OrderByDescending(h => h.Score)
            .ThenBy(h => h.ProductId, StringComparer.Ordinal)
            .ToList();

    private IndexWriter Writer() => _writer ?? throw new InvalidOperationException("this keyword index was opened read-only");

    private IndexSearcher Searcher()
    {
        lock (_searcherLock)
        {
            if (_searcher is null)
            {
                _reader = _writer is null ? DirectoryReader.Open(_directory) : DirectoryReader.Open(_writer, applyAllDeletes: true);
                _searcher = new IndexSearcher(_reader) { Similarity = _similarity };
            }

            return _searcher;
        }
    }

    // A disjunction of the analysed query terms: user text is never parsed as Lucene syntax, so "1/2" or "AND" are safe.
    private BooleanQuery? BuildQuery(string text)
    {
        var query = new BooleanQuery();
        using var stream = AnalyzerFor(text).GetTokenStream(TextField, text);
        var term = stream.AddAttribute<ICharTermAttribute>();
        stream.Reset();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (stream.IncrementToken() && query.Clauses.Count < BooleanQuery.MaxClauseCount)
        {
            var value = term.ToString();
            if (seen.Add(value))
            {
                query.Add(new TermQuery(new Term(TextField, value)), Occur.SHOULD);
            }
        }

        stream.End();
        return query.Clauses.Count == 0 ? null : query;
    }

}
