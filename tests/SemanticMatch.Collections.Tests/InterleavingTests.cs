using SemanticMatch.Collections.Experiments;
using SemanticMatch.Collections.Feedback;

namespace SemanticMatch.Collections.Tests;

/// <summary>Team-draft interleaving, the share of searches it takes, and the report that credits clicks to teams.</summary>
public sealed class InterleavingTests
{
    private static readonly DateTimeOffset s_day = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TeamDraft_ShowsEachItemOnce_KeepsTheTeamsLevel_AndEachTeamsPicksInItsOrder()
    {
        string[] a = ["a1", "s1", "a2", "s2", "a3", "a4"];
        string[] b = ["s1", "b1", "s2", "b2", "b3"];
        var seen = new HashSet<string>();
        for (var query = 0; query < 200; query++)
        {
            var (items, teams) = TeamDraft.Interleave(a, b, x => x, 8, $"q{query}");
            seen.Add(teams);

            Assert.Equal(8, items.Count);
            Assert.Equal(items.Count, items.Distinct().Count());
            for (var prefix = 1; prefix <= items.Count; prefix++)
            {
                var countA = teams[..prefix].Count(t => t == 'A');
                Assert.InRange(countA - (prefix - countA), -1, 1);
            }

            var pickedA = items.Where((_, i) => teams[i] == 'A').ToList();
            var pickedB = items.Where((_, i) => teams[i] == 'B').ToList();
            Assert.Equal(a.Where(pickedA.Contains), pickedA); // in A's order
            Assert.Equal(b.Where(pickedB.Contains), pickedB);
            Assert.Equal(TeamDraft.Interleave(a, b, x => x, 8, $"q{query}").Teams, teams); // the query id fixes the coin
        }

        Assert.True(seen.Count > 4, $"only {seen.Count} team patterns in 200 searches: the coin does not vary");
        var (alone, aloneTeams) = TeamDraft.Interleave(["a1", "a2"], Array.Empty<string>(), x => x, 5, "q");
        Assert.Equal(["a1", "a2"], alone);
        Assert.Equal("AA", aloneTeams);
    }

    [Fact]
    public void Takes_SelectsTheShareOfSearches()
    {
        var ids = Enumerable.Range(0, 20_000).Select(i => $"query-{i}").ToList();
        var share = ids.Count(id => TeamDraft.Takes(id, 0.1)) / (double)ids.Count;

        Assert.InRange(share, 0.09, 0.11); // binomial sd 0.002
        Assert.All(ids.Take(100), id => Assert.True(TeamDraft.Takes(id, 1)));
        Assert.DoesNotContain(ids.Take(100), id => TeamDraft.Takes(id, 0));
    }

    [Fact]
    public async Task Report_CreditsClicksToTheTeamThatPicked_CountsOnlySearchesWithClicks_AndPutsAnIntervalOnThePreference()
    {
        var entries = new List<TrafficEntry>();
        void Search(string id, string teams, string[] clicked, DateTimeOffset time, string query = "drill", int offset = 0)
        {
            var hits = teams.Select((_, i) => $"{id}-h{i}").ToList();
            entries.Add(new TrafficEntry(time, new LoggedSearch(id, query, query, "hybrid", [], 1, offset, hits, "s", new Interleaving("shop-v2", teams)), null));
            var events = clicked.Select(h => new LoggedEvent(id, EventAction.Click, $"{id}-{h}", int.Parse(h[1..], System.Globalization.CultureInfo.InvariantCulture) + 1, "s")).ToList();
            entries.Add(new TrafficEntry(time.AddSeconds(5), null, events));
        }

        for (var i = 0; i < 24; i++)
        {
            Search($"w{i}", "ABAB", ["h1"], s_day.AddMinutes(i), query: $"query {i % 6}"); // the candidate's pick clicked: a win
        }

        for (var i = 0; i < 4; i++)
        {
            Search($"l{i}", "ABAB", ["h0", "h2"], s_day.AddMinutes(30 + i)); // two of the searched collection's picks: a loss
        }

        Search("t0", "ABAB", ["h0", "h1"], s_day.AddMinutes(40)); // one each: a tie
        Search("n0", "ABAB", [], s_day.AddMinutes(41)); // no clicks: says nothing
        Search("p2", "ABAB", ["h1"], s_day.AddMinutes(42), offset: 10); // a second page: not interleaved, not counted
        Search("old", "ABAB", ["h1"], s_day.AddDays(-3)); // before the window

        var result = Assert.Single(await InterleavingReport.ComputeAsync(entries.ToAsyncEnumerable(), s_day, s_day.AddDays(1)));

        Assert.Equal(("shop-v2", 30, 29, 24, 4, 1, 7), (result.Candidate, result.Searches, result.WithClicks, result.Wins, result.Losses, result.Ties, result.Queries));
        Assert.Equal(20.0 / 29, result.Preference, 1e-9);
        var sd = Math.Sqrt(((24 * Math.Pow(1 - (20.0 / 29), 2)) + (4 * Math.Pow(-1 - (20.0 / 29), 2)) + Math.Pow(20.0 / 29, 2)) / 28);
        Assert.Equal(20.0 / 29 - (1.96 * sd / Math.Sqrt(29)), result.Low, 1e-9);
        Assert.Equal("candidate", result.Verdict);

        var even = await InterleavingReport.ComputeAsync(entries.Where(e => e.Search?.QueryId is not { } id || !id.StartsWith('w')).ToAsyncEnumerable(),
            s_day, s_day.AddDays(1));
        Assert.Equal(("serving", -4, 0), (even[0].Verdict, even[0].Wins - even[0].Losses, even[0].Wins));
    }
}
