using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace SemanticMatch.Benchmarks;

/// <summary>
/// The reliability soak: a real <c>semmatch serve</c> under mixed search/upsert/delete/drop load for a given time, with
/// real faults — the data directory's tmpfs filled up, a collection's log made immutable (<c>chattr +i</c>), SIGKILL
/// and restart — and after each restart every acknowledged write checked through the API. Prints requests by answer,
/// faults, kills, writes checked, lost (must be 0) and peak RSS. Needs root for the tmpfs and chattr faults (without
/// it, those are skipped and the report says so).
/// </summary>
internal static class Soak
{
    private const int Collections = 3;
    private const int Writers = 2;
    private const int IdsPerWriter = 150;
    private static readonly string[] s_words = ["cordless", "drill", "garden", "hose", "hammer", "ladder", "paint", "brush", "faucet", "valve", "led", "bulb", "cabinet", "saw", "mower"];

    public static async Task RunAsync(TimeSpan duration, int seed)
    {
        var root = Path.Combine(Path.GetTempPath(), "semmatch-soak-" + Guid.NewGuid().ToString("N"));
        var disk = Path.Combine(root, "disk");
        Directory.CreateDirectory(disk);
        var tmpfs = Run("mount", "-t", "tmpfs", "-o", "size=192m", "tmpfs", disk) == 0;
        var report = new Report { Tmpfs = tmpfs };
        var data = Path.Combine(disk, "data");
        var models = Path.Combine(root, "models");
        var url = $"http://127.0.0.1:{FreePort()}";
        var server = new Server(data, models, url, report);
        try
        {
            await server.StartAsync();
            using var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
            for (var c = 0; c < Collections; c++)
            {
                (await client.PutAsJsonAsync($"/v1/collections/c{c}", new { model = "minilm-int8" })).EnsureSuccessStatusCode();
            }

            var ledger = new Ledger();
            using var stop = new CancellationTokenSource(duration);
            var clock = Stopwatch.StartNew();
            var load = new List<Task>();
            for (var w = 0; w < Writers; w++)
            {
                load.Add(WriterAsync(client, ledger, w, new Random(seed * 31 + w), report, server, stop.Token));
            }

            load.Add(SearcherAsync(client, new Random(seed * 17), report, server, stop.Token));
            load.Add(SearcherAsync(client, new Random(seed * 19), report, server, stop.Token));
            load.Add(DropperAsync(client, new Random(seed * 23), report, server, stop.Token));
            load.Add(FaultsAsync(disk, data, tmpfs, new Random(seed * 29), report, server, stop.Token));
            load.Add(KillerAsync(client, ledger, new Random(seed * 37), report, server, stop.Token));
            load.Add(SampleAsync(server, report, stop.Token));
            await Task.WhenAll(load);

            await server.RestartAsync(); // a last kill, then the whole ledger is checked
            report.Kills++;
            await VerifyAsync(client, ledger, report);
            server.Open();
            report.Print(clock.Elapsed, seed);
        }
        finally
        {
            server.Stop();
            Run("chattr", "-R", "-i", data);
            if (tmpfs)
            {
                Run("umount", disk);
            }

            Directory.Delete(root, recursive: true);
        }
    }

    // Each writer owns its ids, so its acknowledged writes define each id's state; an answer that never came leaves
    // both states possible until a later acknowledged write or a check settles it. A refused write (503/507) changed nothing.
    private static async Task WriterAsync(HttpClient client, Ledger ledger, int writer, Random random, Report report, Server server, CancellationToken stop)
    {
        var version = 0;
        while (!stop.IsCancellationRequested)
        {
            await server.Ready.WaitAsync(stop).ContinueWith(_ => { }, TaskScheduler.Default);
            var collection = $"c{random.Next(Collections)}";
            var delete = random.Next(5) == 0;
            var ids = Enumerable.Range(0, delete ? 1 : random.Next(1, 11)).Select(_ => $"w{writer}-{random.Next(IdsPerWriter)}").Distinct().ToList();
            var titles = ids.ToDictionary(id => id, id => $"{s_words[random.Next(s_words.Length)]} {s_words[random.Next(s_words.Length)]} {id} v{++version}");
            HttpStatusCode? status = null;
            try
            {
                using var response = delete
                    ? await client.DeleteAsync($"/v1/collections/{collection}/records/{ids[0]}", CancellationToken.None)
                    : await client.PostAsJsonAsync($"/v1/collections/{collection}/records", ids.Select(id => new { id, title = titles[id] }), CancellationToken.None);
                status = response.StatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                report.Count("no answer");
            }

            if (status is { } s)
            {
                report.Count(((int)s).ToString(CultureInfo.InvariantCulture));
            }

            foreach (var id in ids)
            {
                var written = delete ? null : titles[id];
                switch (status)
                {
                    case HttpStatusCode.OK or HttpStatusCode.NoContent:
                        ledger.Acknowledge(collection, id, written);
                        report.Acknowledged++;
                        break;
                    case HttpStatusCode.NotFound when delete:
                        ledger.Acknowledge(collection, id, null);
                        break;
                    case null:
                        ledger.Unsure(collection, id, written);
                        break;
                    default:
                        break; // refused: nothing changed
                }
            }
        }
    }

    private static async Task SearcherAsync(HttpClient client, Random random, Report report, Server server, CancellationToken stop)
    {
        var methods = new[] { "hybrid", "bm25", "dense" };
        while (!stop.IsCancellationRequested)
        {
            await server.Ready.WaitAsync(stop).ContinueWith(_ => { }, TaskScheduler.Default);
            try
            {
                using var response = await client.PostAsJsonAsync($"/v1/collections/c{random.Next(Collections)}/search",
                    new { query = $"{s_words[random.Next(s_words.Length)]} {s_words[random.Next(s_words.Length)]}", method = methods[random.Next(3)], top = 10 }, CancellationToken.None);
                report.Count(((int)response.StatusCode).ToString(CultureInfo.InvariantCulture));
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                report.Count("no answer");
            }
        }
    }

    // A scratch collection created, loaded, searched and dropped over and over beside the load.
    private static async Task DropperAsync(HttpClient client, Random random, Report report, Server server, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await server.Ready.WaitAsync(stop).ContinueWith(_ => { }, TaskScheduler.Default);
            try
            {
                var name = $"scratch-{random.Next(3)}";
                foreach (var call in new Func<Task<HttpResponseMessage>>[]
                {
                    () => client.PutAsJsonAsync($"/v1/collections/{name}", new { model = "minilm-int8" }),
                    () => client.PostAsJsonAsync($"/v1/collections/{name}/records", Enumerable.Range(0, 20).Select(i => new { id = $"s{i}", title = $"scratch {s_words[i % s_words.Length]}" })),
                    () => client.PostAsJsonAsync($"/v1/collections/{name}/search", new { query = "scratch drill" }),
                    () => client.DeleteAsync($"/v1/collections/{name}"),
                })
                {
                    using var response = await call();
                    report.Count(((int)response.StatusCode).ToString(CultureInfo.InvariantCulture));
                }

                report.Drops++;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                report.Count("no answer");
            }

            await Delay(TimeSpan.FromSeconds(random.Next(5, 15)), stop);
        }
    }

    // Real faults: the disk filled for a few seconds, or one collection's log made immutable for a few seconds.
    private static async Task FaultsAsync(string disk, string data, bool tmpfs, Random random, Report report, Server server, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await Delay(TimeSpan.FromSeconds(random.Next(8, 20)), stop);
            if (stop.IsCancellationRequested)
            {
                return;
            }

            if (tmpfs && random.Next(2) == 0)
            {
                var filler = Path.Combine(disk, "filler");
                Fill(filler);
                report.DiskFull++;
                await Delay(TimeSpan.FromSeconds(random.Next(1, 5)), CancellationToken.None);
                File.Delete(filler);
            }
            else
            {
                // The log and its folder: snapshots, cuts and reopening fail with EPERM (on tmpfs a write to the log's
                // open handle still succeeds; the server test on ext4 covers that path).
                var folder = Path.Combine(data, "collections", $"c{random.Next(Collections)}");
                var log = Path.Combine(folder, "wal.log");
                if (File.Exists(log) && Run("chattr", "+i", log, folder) == 0)
                {
                    report.Immutable++;
                    await Delay(TimeSpan.FromSeconds(random.Next(1, 5)), CancellationToken.None);
                    Run("chattr", "-i", log, folder);
                }
            }
        }
    }

    private static async Task KillerAsync(HttpClient client, Ledger ledger, Random random, Report report, Server server, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await Delay(TimeSpan.FromSeconds(random.Next(30, 75)), stop);
            if (stop.IsCancellationRequested)
            {
                return;
            }

            await server.RestartAsync();
            report.Kills++;
            await VerifyAsync(client, ledger, report); // the load waits meanwhile, so what is read is what was acknowledged
            server.Open();
        }
    }

    private static async Task VerifyAsync(HttpClient client, Ledger ledger, Report report)
    {
        foreach (var ((collection, id), state) in ledger.Snapshot())
        {
            using var response = await client.GetAsync($"/v1/collections/{collection}/records/{id}");
            string? actual = response.StatusCode == HttpStatusCode.NotFound
                ? null
                : (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString();
            if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.NotFound))
            {
                report.Unreadable++;
                report.Losses.Add($"{collection}/{id}: could not be read ({(int)response.StatusCode})");
                continue;
            }

            if (!state.Possible.Contains(actual))
            {
                report.Lost++;
                report.Losses.Add($"{collection}/{id}: '{actual ?? "(absent)"}', expected {string.Join(" or ", state.Possible.Select(p => p ?? "(absent)"))}");
            }

            report.Checked++;
            ledger.Settle(collection, id, actual);
        }
    }

    private static async Task SampleAsync(Server server, Report report, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            report.PeakRss = Math.Max(report.PeakRss, server.ResidentBytes());
            await Delay(TimeSpan.FromSeconds(2), stop);
        }
    }

    private static async Task Delay(TimeSpan time, CancellationToken stop)
    {
        try
        {
            await Task.Delay(time, stop);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static void Fill(string path)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1);
        var block = new byte[1 << 16];
        for (var size = block.Length; size > 0; size /= 4)
        {
            try
            {
                while (true)
                {
                    file.Write(block.AsSpan(0, size));
                }
            }
            catch (IOException)
            {
            }
        }
    }

    private static int Run(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>What each tracked record may be: its acknowledged title (null: absent), or two states while an answer never came.</summary>
    private sealed class Ledger
    {
        private readonly Dictionary<(string, string), State> _states = [];

        public void Acknowledge(string collection, string id, string? title)
        {
            lock (_states)
            {
                _states[(collection, id)] = new State([title]);
            }
        }

        public void Unsure(string collection, string id, string? title)
        {
            lock (_states)
            {
                var before = _states.TryGetValue((collection, id), out var state) ? state.Possible : [null];
                _states[(collection, id)] = new State([.. before, title]);
            }
        }

        public void Settle(string collection, string id, string? actual)
        {
            lock (_states)
            {
                if (_states.TryGetValue((collection, id), out var state) && state.Possible.Count > 1 && state.Possible.Contains(actual))
                {
                    _states[(collection, id)] = new State([actual]);
                }
            }
        }

        public List<KeyValuePair<(string, string), State>> Snapshot()
        {
            lock (_states)
            {
                return [.. _states];
            }
        }
    }

    private sealed record State(List<string?> Possible);

    private sealed class Report
    {
        private readonly Dictionary<string, long> _answers = [];

        public bool Tmpfs { get; init; }

        public int Kills { get; set; }

        public int DiskFull { get; set; }

        public int Immutable { get; set; }

        public int Drops { get; set; }

        public long Acknowledged { get; set; }

        public long Checked { get; set; }

        public long Lost { get; set; }

        public long Unreadable { get; set; }

        public int NotServed { get; set; }

        public List<string> Losses { get; } = [];

        public long PeakRss { get; set; }

        public void Count(string answer)
        {
            lock (_answers)
            {
                _answers[answer] = _answers.GetValueOrDefault(answer) + 1;
            }
        }

        public void Print(TimeSpan elapsed, int seed)
        {
            Console.WriteLine($"soak: {elapsed.TotalMinutes:F1} min, seed {seed}, {Environment.ProcessorCount} cores");
            Console.WriteLine("| measure | value |");
            Console.WriteLine("|---|---|");
            Console.WriteLine($"| requests | {_answers.Values.Sum()} |");
            foreach (var (answer, count) in _answers.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                Console.WriteLine($"| answered {answer} | {count} |");
            }

            Console.WriteLine($"| SIGKILL + restart | {Kills} |");
            Console.WriteLine($"| disk filled (tmpfs) | {(Tmpfs ? DiskFull.ToString(CultureInfo.InvariantCulture) : "not run: no tmpfs")} |");
            Console.WriteLine($"| a collection's log and folder made immutable (chattr +i) | {Immutable} |");
            Console.WriteLine($"| scratch collections created, loaded, dropped | {Drops} |");
            Console.WriteLine($"| record writes acknowledged | {Acknowledged} |");
            Console.WriteLine($"| records checked after restarts | {Checked} |");
            Console.WriteLine($"| lost or wrong | {Lost} |");
            Console.WriteLine($"| records that could not be read at a check | {Unreadable} |");
            Console.WriteLine($"| collections not served after a restart | {NotServed} |");
            Console.WriteLine($"| peak RSS | {PeakRss >> 20} MB |");
            foreach (var loss in Losses.Take(20))
            {
                Console.WriteLine($"lost: {loss}");
            }
        }
    }

    private sealed class Server(string data, string models, string url, Report report)
    {
        private Process? _process;

        /// <summary>Set while the server listens; writers and searchers wait on it during a restart.</summary>
        public Task Ready => _ready.Task;

        private TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task StartAsync(bool open = true)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "semmatch.dll"), "serve", "--data", data, "--urls", url, "--snapshot-after", "262144" })
            {
                start.ArgumentList.Add(arg);
            }

            start.Environment["SEMANTICMATCH_MODELS"] = models;
            _process = Process.Start(start)!;
            _process.ErrorDataReceived += (_, _) => { };
            _process.BeginErrorReadLine();
            while (await _process.StandardOutput.ReadLineAsync() is { } line && !line.StartsWith("listening on", StringComparison.Ordinal))
            {
                if (line.Contains("is not served", StringComparison.Ordinal))
                {
                    report.Losses.Add("at start: " + line);
                    report.NotServed++;
                }
            }

            _ = _process.StandardOutput.ReadToEndAsync();
            if (open)
            {
                Open();
            }
        }

        /// <summary>Lets the load go on.</summary>
        public void Open() => _ready.TrySetResult();

        /// <summary>SIGKILL, then start again; the load waits until <see cref="Open"/>.</summary>
        public async Task RestartAsync()
        {
            _ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Stop();
            await StartAsync(open: false);
        }

        public void Stop()
        {
            if (_process is { HasExited: false })
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }

        public long ResidentBytes()
        {
            try
            {
                return File.ReadLines($"/proc/{_process!.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
                    .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1] is var kb ? long.Parse(kb, CultureInfo.InvariantCulture) * 1024 : 0;
            }
            catch (Exception e) when (e is IOException or InvalidOperationException)
            {
                return 0; // restarting
            }
        }
    }
}
