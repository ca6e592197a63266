using System.Security.Cryptography;
using System.Text;

namespace SemanticMatch.Collections.Experiments;

/// <summary>
/// Team-draft interleaving (Radlinski, Kurup and Joachims, "How does clickthrough data reflect retrieval quality?",
/// CIKM 2008): two rankings take turns, like captains picking teams, each adding its best hit not yet shown; the team
/// with fewer picks goes next, a coin decides a tie. A click credits the team whose pick was clicked, so neither
/// ranking is favoured by position. The coin is seeded by the query id: the same search interleaves the same way.
/// </summary>
public static class TeamDraft
{
    /// <summary>The team letter of the ranking searched.</summary>
    public const char Serving = 'A';

    /// <summary>The team letter of the candidate ranking.</summary>
    public const char Candidate = 'B';

    /// <summary>Whether a search with this id is one of <paramref name="share"/> interleaved (the id's hash, uniform in [0, 1)).</summary>
    public static bool Takes(string queryId, double share) => share > 0 && Fraction(queryId, "share") < share;

    /// <summary>Up to <paramref name="top"/> items drawn from <paramref name="a"/> and <paramref name="b"/> by team draft, and each one's team.</summary>
    /// <param name="a">The ranking searched, best first.</param>
    /// <param name="b">The candidate ranking, best first.</param>
    /// <param name="id">An item's identity (an item in both rankings is shown once).</param>
    /// <param name="top">Most items.</param>
    /// <param name="queryId">Seeds the coin.</param>
    public static (IReadOnlyList<T> Items, string Teams) Interleave<T>(IReadOnlyList<T> a, IReadOnlyList<T> b, Func<T, string> id, int top, string queryId)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(id);
        var random = new Random(BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes("coin:" + queryId))));
        var shown = new HashSet<string>(StringComparer.Ordinal);
        var items = new List<T>();
        var teams = new StringBuilder();
        int picksA = 0, picksB = 0, nextA = 0, nextB = 0;
        while (items.Count < top)
        {
            nextA = Skip(a, nextA, id, shown);
            nextB = Skip(b, nextB, id, shown);
            var aLeft = nextA < a.Count;
            var bLeft = nextB < b.Count;
            if (!aLeft && !bLeft)
            {
                break;
            }

            var takeA = aLeft && (!bLeft || picksA < picksB || (picksA == picksB && random.Next(2) == 0));
            var item = takeA ? a[nextA] : b[nextB];
            shown.Add(id(item));
            items.Add(item);
            teams.Append(takeA ? Serving : Candidate);
            if (takeA)
            {
                picksA++;
            }
            else
            {
                picksB++;
            }
        }

        return (items, teams.ToString());
    }

    private static int Skip<T>(IReadOnlyList<T> ranking, int next, Func<T, string> id, HashSet<string> shown)
    {
        while (next < ranking.Count && shown.Contains(id(ranking[next])))
        {
            next++;
        }

        return next;
    }

    private static double Fraction(string queryId, string purpose) =>
        BitConverter.ToUInt32(SHA256.HashData(Encoding.UTF8.GetBytes(purpose + ":" + queryId))) / (uint.MaxValue + 1.0);
}
