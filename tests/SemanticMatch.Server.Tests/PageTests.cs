using System.Text.Json;
using Microsoft.Playwright;

namespace SemanticMatch.Server.Tests;

/// <summary>
/// The search page in real headless Chromium (the Debian package, driven by Playwright) against a real server process
/// that requires an API key. Screenshots go to screenshots/ beside the tests.
/// </summary>
public sealed class PageTests : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "semmatch-page-" + Guid.NewGuid().ToString("N"));
    private string _key = string.Empty;
    private string _admin = string.Empty;
    private ServerProcess _server = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public static string Screenshots { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    private string Data => Path.Combine(_root, "data");

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(Chromium))
        {
            Assert.Skip($"{Chromium} is missing: install the Debian package chromium (.ci/run does)");
        }

        _key = Keys.Add(Data, "page", "read,write");
        _admin = Keys.Add(Data, "admin", "read,write,admin");
        _server = await ServerProcess.StartAsync(Data, Path.Combine(_root, "models"));
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
        Directory.CreateDirectory(Screenshots);
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
            _playwright.Dispose();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Page_TreatsFieldNamesAsData_EvenTheNamesOfBuiltInProperties()
    {
        await _server.SendAsync(HttpMethod.Put, "/v1/collections/props", _admin, new { model = "minilm" });
        var records = new[] { "constructor", "__proto__", "toString", "hasOwnProperty", "valueOf" }
            .Select((field, i) => new Dictionary<string, object> { ["id"] = $"d{i}", ["title"] = $"Cordless Drill {i}", [field] = "acme", ["constructor"] = i % 2 == 0 ? "ryobi" : "makita" })
            .ToArray();
        await _server.SendAsync(HttpMethod.Post, "/v1/collections/props/records", _admin, records);
        var page = await _browser.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);

        await page.GotoAsync($"{_server.Url}/?q=cordless%20drill&method=bm25&collection=props");
        await page.Locator("#api-key").FillAsync(_key);
        await page.Locator("#save-key").ClickAsync();
        await Assertions.Expect(page.Locator("#results .hit").First.Locator(".title")).ToContainTextAsync("Cordless Drill");
        var constructor = page.Locator("#filters select[data-field=\"constructor\"]");
        await Assertions.Expect(constructor).ToHaveCountAsync(1);
        await constructor.SelectOptionAsync("ryobi");
        await Assertions.Expect(page.Locator("#results .hit")).ToHaveCountAsync(3);

        Assert.Empty(errors);
        Assert.Equal(1, await page.Locator("#filters select[data-field=\"__proto__\"]").CountAsync());
    }

    [Fact]
    public async Task Page_CountsFacetsSortsPagesSuggestsAndHighlights()
    {
        await _server.SendAsync(HttpMethod.Put, "/v1/collections/shop", _admin, new { model = "minilm-int8", fields = new[] { "title" } });
        var brands = new[] { "Voltline", "Kestrel", "Ironbark" };
        var records = Enumerable.Range(0, 40).Select(i => new Dictionary<string, object>
        {
            ["id"] = $"s{i:D2}", ["title"] = $"{brands[i % 3]} Cordless Drills model {i}", ["brand"] = brands[i % 3], ["price"] = 10 + ((i * 37) % 100),
        }).Append(new Dictionary<string, object> { ["id"] = "f1", ["title"] = "Kitchen Faucet", ["brand"] = "Tidewater", ["price"] = 5 }).ToArray();
        await _server.SendAsync(HttpMethod.Post, "/v1/collections/shop/records", _admin, records);
        var page = await _browser.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        var hits = page.Locator("#results .hit");

        await page.GotoAsync($"{_server.Url}/?q=drill&method=bm25&collection=shop");
        await page.Locator("#api-key").FillAsync(_key);
        await page.Locator("#save-key").ClickAsync();

        // The count of matches, and the brand filter with each brand's count among them.
        await Assertions.Expect(page.Locator("#result-count")).ToHaveTextAsync("10 of 40 results");
        await Assertions.Expect(page.Locator("#filter-brand option", new PageLocatorOptions { HasTextString = "Kestrel (13)" })).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#filter-brand option", new PageLocatorOptions { HasTextString = "Voltline (14)" })).ToHaveCountAsync(1);

        // The server's highlights: the plural in the titles is marked for the singular typed.
        await Assertions.Expect(hits.First.Locator("mark")).ToHaveTextAsync("Drills");

        // More results: the next page below the first, numbered on.
        await page.Locator("#more").ClickAsync();
        await Assertions.Expect(hits).ToHaveCountAsync(20);
        await Assertions.Expect(page.Locator("#result-count")).ToHaveTextAsync("20 of 40 results");
        var ids = await hits.EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.id)");
        Assert.Equal(20, ids.Distinct().Count());

        // Sorting by price, highest first, over all matches.
        await page.Locator("#sort").SelectOptionAsync("price:desc");
        await Assertions.Expect(hits.First.Locator(".meta")).ToContainTextAsync("price: 109");
        var prices = (await hits.Locator(".meta").AllTextContentsAsync())
            .Select(m => double.Parse(System.Text.RegularExpressions.Regex.Match(m, @"price: ([0-9.]+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(prices.OrderByDescending(p => p), prices);

        // Suggestions for what is being typed, in the search box's dropdown.
        await page.Locator("#q").FillAsync("cordl");
        await Assertions.Expect(page.Locator("#suggestions option[value=\"cordless\"]")).ToHaveCountAsync(1);

        // A synonym the merchandiser set: the explanation says which word matched through it.
        await _server.SendAsync(HttpMethod.Put, "/v1/collections/shop/synonyms", _admin, new { synonyms = new[] { new[] { "tap", "faucet" } } });
        await page.Locator("#sort").SelectOptionAsync("");
        await page.Locator("#q").FillAsync("tap");
        await Assertions.Expect(hits.First.Locator(".title")).ToContainTextAsync("Kitchen Faucet");
        await hits.First.Locator(".why").ClickAsync();
        await Assertions.Expect(page.Locator("#panel .synonym-note")).ToHaveTextAsync("Matched “faucet” through the synonym “tap”.");

        Assert.Empty(errors);
    }

    [Fact]
    public async Task Page_SearchesExplainsFiltersRecommendsAndTakesFeedback()
    {
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var hits = page.Locator("#results .hit");

        // A linked search: the service needs a key, so the page asks for one and then shows the results.
        await page.GotoAsync($"{_server.Url}/?q=cordles%20dril&method=hybrid&collection=demo");
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("API key");
        await page.Locator("#api-key").FillAsync(_key);
        await page.Locator("#save-key").ClickAsync();
        await Assertions.Expect(hits.First.Locator(".title")).ToContainTextAsync("Cordless Drill");
        await Assertions.Expect(page.Locator("#correction")).ToContainTextAsync("cordless drill");
        Assert.Equal(10, await hits.CountAsync());
        await Assertions.Expect(hits.First.Locator("mark").First).ToHaveTextAsync("Cordless");

        // Typing searches as you type; the URL follows.
        await page.Locator("#q").FillAsync("white kitchen faucet");
        await Assertions.Expect(hits.First.Locator(".title")).ToContainTextAsync("Kitchen Faucet");
        await Assertions.Expect(page.Locator("#result-count")).ToContainTextAsync("10 of ");
        await Assertions.Expect(page.Locator("#latency")).ToContainTextAsync(" ms (server ");
        Assert.Contains("q=white+kitchen+faucet", page.Url, StringComparison.Ordinal);

        // Switching the method.
        await page.GetByLabel("BM25", new PageGetByLabelOptions { Exact = true }).CheckAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("method=bm25"));
        await Assertions.Expect(hits.First.Locator(".title")).ToContainTextAsync("Faucet");

        // Side by side, with the results only one method found marked.
        await page.Locator("#compare").CheckAsync();
        await Assertions.Expect(page.Locator("#results.columns h2")).ToHaveTextAsync(["BM25", "Semantic"]);
        var onlyOne = await page.Locator("#results .hit.only").CountAsync();
        Assert.Equal(onlyOne, await page.Locator("#results .hit.only .badge").CountAsync());
        await page.Locator("#compare").UncheckAsync();
        await page.GetByLabel("Hybrid", new PageGetByLabelOptions { Exact = true }).CheckAsync();
        await Assertions.Expect(page.Locator("#results.columns")).ToHaveCountAsync(0);

        // Why did it match?
        await hits.First.Locator(".why").ClickAsync();
        var panel = page.Locator("#panel");
        await Assertions.Expect(panel).ToBeVisibleAsync();
        await Assertions.Expect(panel).ToContainTextAsync("BM25: score");
        await Assertions.Expect(panel.Locator("td", new LocatorLocatorOptions { HasTextString = "faucet" }).First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#fusion-shares")).ToContainTextAsync("%");
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(panel).ToBeHiddenAsync();

        // A filter from the records' fields: every result then has that brand.
        var brand = await page.Locator("#filter-brand option").Nth(1).GetAttributeAsync("value");
        await page.Locator("#filter-brand").SelectOptionAsync(brand!);
        await Assertions.Expect(hits.First.Locator(".meta")).ToContainTextAsync($"brand: {brand}");
        foreach (var meta in await hits.Locator(".meta").AllTextContentsAsync())
        {
            Assert.Contains($"brand: {brand}", meta, StringComparison.Ordinal);
        }

        // Similar products of a hit, without the hit itself.
        var firstId = await hits.First.GetAttributeAsync("data-id");
        await hits.First.Locator(".similar").ClickAsync();
        var similar = page.Locator("#similar-list .hit");
        await Assertions.Expect(similar).ToHaveCountAsync(5);
        Assert.DoesNotContain(firstId, await similar.EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.id)"));
        await page.Locator("#close-panel").ClickAsync();

        // Feedback lands in the service's log.
        await hits.First.Locator(".relevant").ClickAsync();
        await Assertions.Expect(hits.First.Locator(".relevant")).ToHaveAttributeAsync("aria-pressed", "true");
        await hits.Nth(1).Locator(".not-relevant").ClickAsync();
        await Assertions.Expect(hits.Nth(1).Locator(".not-relevant")).ToHaveAttributeAsync("aria-pressed", "true");
        // The page's searches and clicks reach the log with their query id.
        var log = File.ReadAllLines(Path.Combine(Data, "feedback", "demo.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var searches = log.Where(e => e.TryGetProperty("search", out _)).Select(e => e.GetProperty("search"))
            .ToDictionary(s => s.GetProperty("queryId").GetString()!, s => s);
        var events = log.Where(e => e.TryGetProperty("events", out _)).SelectMany(e => e.GetProperty("events").EnumerateArray()).ToList();
        var click = events.Single(e => e.GetProperty("action").GetString() == "click");
        var reject = events.Single(e => e.GetProperty("action").GetString() == "reject");
        Assert.Equal(firstId, click.GetProperty("objectId").GetString());
        Assert.Equal(1, click.GetProperty("position").GetInt32());
        Assert.Equal(2, reject.GetProperty("position").GetInt32());
        var clickedSearch = searches[click.GetProperty("queryId").GetString()!];
        Assert.Equal("white kitchen faucet", clickedSearch.GetProperty("query").GetString());
        Assert.Equal(firstId, clickedSearch.GetProperty("hits")[0].GetString());
        Assert.Contains(events, e => e.GetProperty("action").GetString() == "impression" && e.GetProperty("queryId").GetString() == click.GetProperty("queryId").GetString());

        // The README's screenshot: results with the explanation of the first one open.
        await hits.First.Locator(".why").ClickAsync();
        await Assertions.Expect(page.Locator("#fusion-shares")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "page-desktop.png"), FullPage = false });

        // The collection switcher: the ready-made FAQ answers a customer's question.
        await page.Locator("#close-panel").ClickAsync();
        await page.Locator("#collection").SelectOptionAsync("faq");
        await page.Locator("#q").FillAsync("how long until my refund shows up");
        await Assertions.Expect(hits.First.Locator(".title")).ToHaveTextAsync("When will I get my refund?");
        await Assertions.Expect(hits.First.Locator(".meta")).ToContainTextAsync("answer: Card refunds appear");
        Assert.Contains("collection=faq", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnalyticsPage_ChartsTheDaysSearches_AndListsTopNoResultAndNoClickQueries()
    {
        await _server.SendAsync(HttpMethod.Put, "/v1/collections/shop", _admin, new { model = "minilm" });
        await _server.SendAsync(HttpMethod.Post, "/v1/collections/shop/records", _admin, new object[]
        {
            new { id = "d1", title = "Cordless Drill 20V" }, new { id = "h1", title = "Garden Hose 50 ft" },
        });
        var queryIds = new List<string>();
        foreach (var query in (string[])["cordless drill", "cordless drill", "garden hose", "zzqx"])
        {
            var search = await _server.SendAsync(HttpMethod.Post, "/v1/collections/shop/search", _key, new { query, method = "bm25", spellCorrection = false });
            queryIds.Add(search.Body.GetProperty("queryId").GetString()!);
        }

        await _server.SendAsync(HttpMethod.Post, "/v1/collections/shop/events", _key, new object[] { new { queryId = queryIds[0], action = "click", objectId = "d1", position = 1 } });
        var page = await _browser.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);

        await page.GotoAsync($"{_server.Url}/analytics?collection=shop");
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("admin scope");
        await page.Locator("#api-key").FillAsync(_admin);
        await page.Locator("#save-key").ClickAsync();

        await Assertions.Expect(page.Locator("[data-total=searches]")).ToHaveTextAsync("4");
        await Assertions.Expect(page.Locator("[data-total='without results']")).ToHaveTextAsync("1 (25.0 %)");
        await Assertions.Expect(page.Locator("[data-total=click-through]")).ToHaveTextAsync("33.3 %"); // 1 of the 3 that found something
        var day = page.Locator("#chart g.day");
        await Assertions.Expect(day).ToHaveCountAsync(1);
        await Assertions.Expect(day.Locator("title")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(": 4 searches, 1 without results, 1 clicked$"));
        Assert.True(await day.Locator("rect.searches").GetAttributeAsync("height") is { } height && int.Parse(height, System.Globalization.CultureInfo.InvariantCulture) > 0);
        await Assertions.Expect(page.Locator("#top-queries tbody tr").First.Locator("td").First).ToHaveTextAsync("cordless drill");
        await Assertions.Expect(page.Locator("#no-result-queries tbody td").First).ToHaveTextAsync("zzqx");
        await Assertions.Expect(page.Locator("#no-click-queries tbody td").First).ToHaveTextAsync("garden hose");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "analytics.png"), FullPage = true });

        // An empty window says so instead of drawing nothing.
        await page.Locator("#from").FillAsync("2020-01-01");
        await page.Locator("#to").FillAsync("2020-01-31");
        await page.Locator("#analytics-form button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-total=searches]")).ToHaveTextAsync("0");
        await Assertions.Expect(page.Locator("#top-queries")).ToContainTextAsync("None in this window.");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Page_FitsAPhoneScreen_AndIsUsableByKeyboard()
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 390, Height = 844 } });
        await context.AddInitScriptAsync($"localStorage.setItem('semmatch-key', {JsonSerializer.Serialize(_key)});");
        var page = await context.NewPageAsync();

        await page.GotoAsync($"{_server.Url}/?q=led%20bulbs&method=dense&collection=demo");
        await Assertions.Expect(page.Locator("#results .hit").First.Locator(".title")).ToContainTextAsync("LED");
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways at phone width");

        // "/" focuses the search box; Tab reaches the first result's buttons; Enter on "Why this match?" opens the panel.
        await page.Locator("body").ClickAsync(new LocatorClickOptions { Position = new Position { X = 5, Y = 300 } });
        await page.Keyboard.PressAsync("/");
        Assert.Equal("q", await page.EvaluateAsync<string>("document.activeElement.id"));
        await page.Locator("#results .hit .why").First.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#panel")).ToBeVisibleAsync();
        Assert.Equal("close-panel", await page.EvaluateAsync<string>("document.activeElement.id"));

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "page-phone.png"), FullPage = false });
        await context.DisposeAsync();
    }
}
