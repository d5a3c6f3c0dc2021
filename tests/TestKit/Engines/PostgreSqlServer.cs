using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace FleaMarket.TestKit.Engines;

/// <summary>
/// A throwaway PostgreSQL 15 server for one test run: its own data directory and loopback port, fsync off,
/// trust authentication for user <c>postgres</c>. Tests can stop and start it to simulate an outage.
/// Needs root (the server runs as the <c>postgres</c> user) and the Debian postgresql package.
/// </summary>
public sealed class PostgreSqlServer : IAsyncDisposable
{
    private const string BinDirectory = "/usr/lib/postgresql/15/bin";
    private readonly string _directory;
    private bool _hasStarted;

    private PostgreSqlServer(string directory, int port)
    {
        _directory = directory;
        Port = port;
    }

    /// <summary>The loopback port the server listens on.</summary>
    public int Port { get; private set; }

    /// <summary>Creates a data directory and starts a server on a free port.</summary>
    public static async Task<PostgreSqlServer> StartNewAsync()
    {
        if (!File.Exists(Path.Combine(BinDirectory, "initdb")))
        {
            throw new InvalidOperationException(
                $"PostgreSQL 15 is not installed ({BinDirectory}/initdb is missing). Run ./test.sh once: it installs the postgresql package the integration tests need.");
        }

        var directory = Directory.CreateTempSubdirectory("fm-pg-").FullName;
        var server = new PostgreSqlServer(directory, FreePort());
        try
        {
            await RunAsync("chown", ["-R", "postgres:postgres", directory]).ConfigureAwait(false);
            await RunAsPostgresAsync("initdb", ["-D", server.DataDirectory, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"]).ConfigureAwait(false);
            await server.StartAsync().ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private string DataDirectory => Path.Combine(_directory, "data");

    /// <summary>Creates a new empty database and returns an Npgsql connection string for it.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "test")
    {
        var name = $"{prefix}_{Guid.NewGuid():N}".ToLowerInvariant();
        await RunAsPostgresAsync("createdb", ["-h", _directory, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres", name]).ConfigureAwait(false);
        return $"Host=127.0.0.1;Port={Port};Username=postgres;Database={name}";
    }

    /// <summary>Starts the server (again) and waits until it accepts connections; on first start picks another port if its own was taken.</summary>
    public async Task StartAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await RunAsPostgresAsync("pg_ctl", [
                    "-D", DataDirectory, "-l", Path.Combine(_directory, "log"), "-w", "-t", "60",
                    "-o", $"-p {Port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off",
                    "start"]).ConfigureAwait(false);
                _hasStarted = true;
                return;
            }
            catch (InvalidOperationException) when (attempt < 3 && !_hasStarted)
            {
                // Another process may have bound the port between our probe and the server's bind. A restart keeps
                // its port: connection strings handed out already point at it.
                Port = FreePort();
            }
            catch (InvalidOperationException e)
            {
                var log = Path.Combine(_directory, "log");
                throw new InvalidOperationException($"{e.Message}\nServer log:\n{(File.Exists(log) ? await File.ReadAllTextAsync(log).ConfigureAwait(false) : "(none)")}", e);
            }
        }
    }

    /// <summary>Stops the server abruptly (like a crash: no checkpoint), keeping its data.</summary>
    public Task StopAsync() => RunAsPostgresAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"]);

    /// <summary>Stops the server and deletes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            try
            {
                await StopAsync().ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                // Already stopped; the directory still has to go.
            }
        }

        Directory.Delete(_directory, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Task RunAsPostgresAsync(string tool, IEnumerable<string> arguments) =>
        RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(BinDirectory, tool), .. arguments]);

    private static async Task RunAsync(string fileName, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{fileName} {string.Join(' ', start.ArgumentList)} exited with {process.ExitCode}: {await error.ConfigureAwait(false)}{await output.ConfigureAwait(false)}");
        }
    }
}
