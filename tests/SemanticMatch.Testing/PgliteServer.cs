using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SemanticMatch.Testing;

/// <summary>
/// A real PostgreSQL engine with real pgvector for tests: PGlite (PostgreSQL compiled to WASM) served over TCP by
/// pglite-socket on a free 127.0.0.1 port, its data in a temporary folder, so it can be killed and started again on the
/// same data. Installed by <c>npm ci --prefix tools/pglite</c> (.ci/run does it).
/// </summary>
public sealed class PgliteServer : IAsyncDisposable
{
    /// <summary>Clients the multiplexer accepts at once (each service replica's pool and the test's own).</summary>
    public const int MaxConnections = 16;

    private readonly StringBuilder _output = new();
    private Process? _process;

    private PgliteServer(string script, string dataDirectory, int port)
    {
        Script = script;
        DataDirectory = dataDirectory;
        Port = port;
    }

    /// <summary>The pglite-socket server script.</summary>
    public string Script { get; }

    /// <summary>Where the database's files are.</summary>
    public string DataDirectory { get; }

    /// <summary>The TCP port.</summary>
    public int Port { get; }

    /// <summary>
    /// An Npgsql connection string for <paramref name="pool"/> connections (PGlite runs one query at a time; the
    /// multiplexer keeps each client's transaction together). Connect and command timeouts are short so a dead database
    /// is noticed quickly.
    /// </summary>
    public string ConnectionString(int pool = 4) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Password=postgres;Database=postgres;SSL Mode=Disable;Maximum Pool Size={pool};Timeout=5;Command Timeout=60;Include Error Detail=true";

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

    /// <summary>The script, or the reason it cannot run here (to skip with).</summary>
    public static (string? Script, string? Missing) Locate() =>
        Repository.Tool("pglite", "node_modules", "@electric-sql", "pglite-socket", "dist", "scripts", "server.js");

    /// <summary>Starts a new, empty database; the test is skipped when PGlite is not installed.</summary>
    public static async Task<PgliteServer> StartAsync()
    {
        var (script, missing) = Locate();
        if (script is null)
        {
            Assert.Skip(missing!);
        }

        var data = Path.Combine(Path.GetTempPath(), "semmatch-pglite-" + Guid.NewGuid().ToString("N"));
        var server = new PgliteServer(script!, data, FreePort());
        await server.RestartAsync();
        return server;
    }

    /// <summary>Starts the database again on the same data and port (after <see cref="Kill"/>).</summary>
    public async Task RestartAsync()
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Script, $"--db={DataDirectory}", $"--port={Port}", "--host=127.0.0.1",
                     "--extensions=@electric-sql/pglite-pgvector:vector", $"--max-connections={MaxConnections}" })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            Append(e.Data);
            if (e.Data?.Contains("listening", StringComparison.Ordinal) == true)
            {
                listening.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (await Task.WhenAny(listening.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromMinutes(1))) != listening.Task)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"PGlite did not start:\n{Output}");
        }

        _process = process;
    }

    /// <summary>SIGKILL: the database process dies mid-whatever.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        _process?.Dispose();
        await Task.Yield();
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
