using SemanticMatch.Core;

namespace SemanticMatch.Search;

/// <summary>
/// How every search turns what a user typed into what it searches, whichever catalogue it runs on (index folder,
/// embedded or PostgreSQL collection, evaluation, the ranker's training data): normalised as the catalogue's texts
/// were, then spell-corrected against the catalogue's own words when asked.
/// </summary>
public static class QueryPreparation
{
    /// <summary>The query normalised as <paramref name="text"/> normalises item texts.</summary>
    /// <exception cref="InvalidRequestException">No letter or digit is left after normalisation: there is nothing to match.</exception>
    public static string Normalize(string query, ProductText text)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(text);
        var normalized = text.OfQuery(query);
        if (!normalized.Any(char.IsLetterOrDigit))
        {
            throw new InvalidRequestException(normalized.Length == 0
                ? "the query is empty"
                : $"the query '{query}' has no letters or digits: there is nothing to match");
        }

        return normalized;
    }

    /// <summary>The query as searched: <paramref name="normalized"/>, spell-corrected by <paramref name="retrieval"/> when asked.</summary>
    public static ValueTask<string> PrepareAsync(string normalized, bool spellCorrection, IRetrieval retrieval, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(retrieval);
        return spellCorrection ? retrieval.CorrectSpellingAsync(normalized, cancellationToken) : ValueTask.FromResult(normalized);
    }
}
