using SemanticMatch.Collections.Feedback;

namespace SemanticMatch.Collections.Tests;

/// <summary>Completions: popular logged queries, the catalogue's words, one typo fixed; and how queries become popular.</summary>
public sealed class SuggestionTests : IDisposable
{
    private static readonly CatalogueWord[] s_catalogue =
        [new("cordless", 40), new("corded", 12), new("corner", 7), new("cord", 3), new("drill", 50), new("drills", 9)];

    private readonly string _directory = Directory.CreateTempSubdirectory("semmatch-suggest-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task PopularQueriesComeFirst_ThenTheCatalogueWords_MostRecordsFirst()
    {
        PopularQuery[] popular = [new("cordless drill", 9), new("corner shelf", 30), new("cordless drill 20v", 4)];

        var completions = await SuggestAsync("cor", 5, popular);
        var underAWord = await SuggestAsync("red cor", 3, popular);

        Assert.Equal(["corner shelf", "cordless drill", "cordless drill 20v", "cordless", "corded"], completions);
        Assert.Equal(["red cordless", "red corded", "red corner"], underAWord);
    }

    [Fact]
    public async Task OneTypoInTheLastWordIsFixed_OnlyWhenTooFewCompletionsMatchAsTyped()
    {
        var swapped = await SuggestAsync("red corldess", 3, []);
        var replaced = await SuggestAsync("drilk", 2, [new("drill press", 5)]);
        var enough = await SuggestAsync("dril", 1, []);
        var tooShort = await SuggestAsync("drl", 8, []); // "dril" would have been one letter left out

        Assert.Equal(["red cordless"], swapped);
        Assert.Equal(["drill press", "drill"], replaced);
        Assert.Equal(["drill"], enough);
        Assert.Empty(tooShort);
    }

    [Fact]
    public void TypoVariants_AreOneEditAway_KeepTheFirstLetter_AndOnlyLeaveOutOrSwapInOtherScripts()
    {
        var variants = Completions.TypoVariants("drlil");
        var chinese = Completions.TypoVariants("电钻机");

        Assert.Contains("drill", variants); // swapped
        Assert.Contains("dril", variants); // left out
        Assert.Contains("drlit", variants); // replaced
        Assert.Contains("drlail", variants); // added
        Assert.DoesNotContain(variants, v => v[0] != 'd');
        Assert.DoesNotContain("drlil", variants);
        Assert.DoesNotContain("drli", variants); // the last letter left out: what was offered a letter ago
        Assert.Equal(["电机", "电机钻"], chinese);
    }

    [Fact]
    public void AQueryIsPopular_AfterThreeFirstPagesWithResults_ForTwoSessions()
    {
        var table = new PopularQueryTable();
        for (var i = 0; i < 5; i++)
        {
            table.Count(Search("Cordless Saw", "one-session")); // one client, however often
        }

        table.Count(Search("cordless drill", "a"));
        table.Count(Search("cordless drill", "a"));
        var twoSearches = table.StartingWith("cord", 8);
        table.Count(Search("cordless drill", "a", offset: 10)); // a later page
        table.Count(Search("cordless drill", "b", hits: 0)); // nothing found
        table.Count(Search("cordless drill", null)); // no session
        var stillOneSession = table.StartingWith("cord", 8);
        table.Count(Search("cordless drill", "b"));

        Assert.Empty(twoSearches);
        Assert.Empty(stillOneSession);
        Assert.Equal([new PopularQuery("cordless drill", 4)], table.StartingWith("cord", 8));
        Assert.Empty(table.StartingWith("cordless drills", 8));
    }

    [Fact]
    public async Task TheTrafficLog_ReadsWhatWasLoggedBefore_AndCountsWhatItLogsAfter()
    {
        using (var store = new FileFeedbackStore(_directory))
        {
            await store.AppendAsync("shop", [.. new[] { "a", "b", "a" }.Select(s => new TrafficEntry(DateTimeOffset.UtcNow.AddDays(-1), Search("hose reel", s), null))]);
        }

        using var again = new FileFeedbackStore(_directory);
        await using var log = new TrafficLog(again);
        log.StartingWith("shop", "h", 8); // starts reading the log, in the background
        await Eventually.HoldsAsync(() => log.StartingWith("shop", "h", 8).Count > 0, TimeSpan.FromSeconds(10));
        var loaded = log.StartingWith("shop", "h", 8);
        log.LogSearch("shop", Search("hose nozzle", "a"));
        log.LogSearch("shop", Search("hose nozzle", "c"));
        log.LogSearch("shop", Search("hose nozzle", "c"));
        log.LogSearch("other", Search("hose nozzle", "d"));

        Assert.Equal([new PopularQuery("hose reel", 3)], loaded);
        Assert.Equal(["hose nozzle", "hose reel"], log.StartingWith("shop", "hose", 8).Select(q => q.Query).Order(StringComparer.Ordinal));
        Assert.Empty(log.StartingWith("other", "hose", 8));
    }

    private static async Task<IReadOnlyList<string>> SuggestAsync(string typed, int limit, IReadOnlyList<PopularQuery> popular) =>
        await Completions.SuggestAsync(typed, limit,
            (prefixes, count, _) => ValueTask.FromResult<IReadOnlyList<CatalogueWord>>(
                s_catalogue.Where(w => prefixes.Any(p => w.Word.StartsWith(p, StringComparison.Ordinal)))
                    .OrderByDescending(w => w.Records).Take(count).ToList()),
            prefix => popular.Where(q => q.Query.StartsWith(prefix, StringComparison.Ordinal)).ToList(), CancellationToken.None);

    private static LoggedSearch Search(string query, string? session, int offset = 0, int hits = 3) =>
        new(TrafficLog.NewQueryId(), query, query, "hybrid", [], 1, offset, [.. Enumerable.Range(0, hits).Select(i => $"r{i}")], session);
}
