using System.Text.Json;
using SemanticMatch.Collections.Storage;
using SemanticMatch.Core;

namespace SemanticMatch.Collections.Embedded;

/// <summary>The collection's synonyms (<c>synonyms.json</c> beside its settings) and its word completions.</summary>
public sealed partial class EmbeddedCollection
{
    private const string SynonymsFile = "synonyms.json";

    // Most spelling words read for one completion (a one-letter prefix can match thousands).
    private const int SuggestionScan = 5_000;

    private readonly Lock _synonymsGate = new();
    private volatile Synonyms _synonyms = Synonyms.None;

    /// <summary>The synonyms the next search uses.</summary>
    public Synonyms Synonyms => _synonyms;

    /// <summary>Replaces the synonyms: written to a temporary file, flushed, renamed over the old one, then used.</summary>
    /// <exception cref="StorageFaultException">The disk refused the write; the old synonyms stay in force.</exception>
    public void SetSynonyms(Synonyms synonyms)
    {
        ArgumentNullException.ThrowIfNull(synonyms);
        ThrowIfClosed();
        lock (_synonymsGate)
        {
            try
            {
                DurableFiles.Replace(_options.Files, Path.Combine(_synonymsDirectory, SynonymsFile),
                    stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(synonyms.ToJson())));
            }
            catch (Exception e) when (StorageFaultException.IsStorageFailure(e))
            {
                throw new StorageFaultException($"collection '{Name}': the synonyms could not be written ({e.Message}); the old ones stay", e);
            }

            _synonyms = synonyms;
        }
    }

    /// <summary>Uses synonyms another generation of the collection has made durable (in the folder they share).</summary>
    internal void UseSynonyms(Synonyms synonyms) => _synonyms = synonyms;

    /// <summary>Completions of <paramref name="prefix"/> from popular queries and the shown fields' words (see <see cref="Completions"/>).</summary>
    public ValueTask<IReadOnlyList<string>> SuggestAsync(string prefix, int limit, Func<string, IReadOnlyList<Feedback.PopularQuery>>? popular,
        CancellationToken cancellationToken)
    {
        var normalized = _searcher.SuggestionPrefix(prefix);
        return Completions.SuggestAsync(normalized, limit, (prefixes, count, _) => ValueTask.FromResult<IReadOnlyList<CatalogueWord>>(Read(() => WordsStartingWith(prefixes, count))),
            popular, cancellationToken);
    }

    // The spelling words starting with any of the prefixes (the first SuggestionScan in term order), the most frequent first.
    private List<CatalogueWord> WordsStartingWith(IReadOnlyList<string> prefixes, int count) =>
        _keyword.WordsStartingWith(prefixes, SuggestionScan)
            .OrderByDescending(w => w.Records).Take(count).Select(w => new CatalogueWord(w.Word, w.Records)).ToList();

    // Reads synonyms.json when there is one (a collection that never had synonyms has none).
    private void LoadSynonyms()
    {
        var path = Path.Combine(_synonymsDirectory, SynonymsFile);
        if (!File.Exists(path))
        {
            return;
        }

        try
        {
            _synonyms = Synonyms.FromJson(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidRequestException($"{path} is damaged ({e.Message}); set the synonyms again or move the file away");
        }
    }
}
