using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace SemanticMatch.Server.Tests;

/// <summary>A real <c>semmatch serve</c> process on a free 127.0.0.1 port, over a data directory it may share with later runs.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process, string url)
    {
        _process = process;
        Url = url;
        Client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(2) };
    }

    public string Url { get; }

    public HttpClient Client { get; }

    /// <summary>The server's process id.</summary>
    public int Pid => _process.Id;

    /// <summary>Whether the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The server's resident memory in bytes (VmRSS).</summary>
    public long ResidentBytes() =>
        File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1] is var kb ? long.Parse(kb, System.Globalization.CultureInfo.InvariantCulture) * 1024 : 0;

    /// <summary>The exit code once the process has ended.</summary>
    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the server and waits for "listening on".</summary>
    public static async Task<ServerProcess> StartAsync(string dataDirectory, string modelStore, params string[] extra)
    {
        var url = $"http://127.0.0.1:{FreePort()}";
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "semmatch.dll"), "serve", "--data", dataDirectory, "--urls", url }.Concat(extra))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["SEMANTICMATCH_MODELS"] = modelStore;
        var process = Process.Start(start)!;
        var server = new ServerProcess(process, url);
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            server.Append(e.Data);
            if (e.Data?.StartsWith("listening on", StringComparison.Ordinal) == true)
            {
                listening.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        if (await Task.WhenAny(listening.Task, exited, Task.Delay(TimeSpan.FromMinutes(3))) != listening.Task)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"the server did not start:\n{server.Output}");
        }

        return server;
    }

    public HttpRequestMessage Request(HttpMethod method, string path, string? key = null, object? json = null, byte[]? raw = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        if (json is not null || raw is not null)
        {
            request.Content = new ByteArrayContent(raw ?? JsonSerializer.SerializeToUtf8Bytes(json));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        return request;
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string? key = null, object? json = null, byte[]? raw = null)
    {
        using var response = await Client.SendAsync(Request(method, path, key, json, raw));
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length > 0 && text[0] is '{' or '[' ? JsonDocument.Parse(text).RootElement.Clone() : default;
        return (response.StatusCode, body);
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>SIGTERM, then wait for the graceful shutdown.</summary>
    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            Posix.Terminate(_process.Id);
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await _process.WaitForExitAsync(timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Signals for child processes.</summary>
internal static partial class Posix
{
    public static void Terminate(int pid) => _ = Kill(pid, 15);

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
