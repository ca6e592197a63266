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
                    stream => JsonSerializer.Serialize(stream, synonyms.Groups, FileJson));
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

    /// <summary>Completions of <paramref name="prefix"/> from the shown fields' words (see <see cref="CollectionSearcher.Complete"/>).</summary>
    public IReadOnlyList<string> Suggest(string prefix, int limit)
    {
        var (normalized, last) = _searcher.SuggestionPrefix(prefix);
        var words = Read(() => _keyword.WordsStartingWith(last, SuggestionScan));
        return CollectionSearcher.Complete(normalized, words, limit);
    }

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
            var groups = JsonSerializer.Deserialize<List<List<string>>>(File.ReadAllBytes(path), FileJson)
                ?? throw new JsonException("null instead of a list of groups");
            _synonyms = new Synonyms(groups.Select(g => (IReadOnlyList<string>)g).ToList());
        }
        catch (JsonException e)
        {
            throw new InvalidRequestException($"{path} is damaged ({e.Message}); set the synonyms again or move the file away");
        }
    }
}
