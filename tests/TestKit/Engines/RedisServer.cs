using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FleaMarket.TestKit.Engines;

/// <summary>
/// A throwaway redis-server on a free loopback port, without persistence, in its own temp directory.
/// Killed on dispose; <see cref="StopAsync"/> and <see cref="StartAsync"/> restart it on the same port.
/// A missing redis-server fails the test (run ./test.sh, which installs it): nothing is skipped.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(15);
    private readonly string _directory = Directory.CreateTempSubdirectory("fleamarket-redis-").FullName;
    private readonly string[] _authArguments;
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    private RedisServer(int port, string[] authArguments)
    {
        Port = port;
        _authArguments = authArguments;
    }

    public int Port { get; }

    /// <summary><c>127.0.0.1:port</c>, the form RedisOptions.Endpoint takes.</summary>
    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>
    /// Starts a server. <paramref name="password"/> sets requirepass (the default user's password);
    /// <paramref name="aclUser"/> adds an ACL user with every permission.
    /// </summary>
    public static async Task<RedisServer> StartNewAsync(string? password = null, (string Name, string Password)? aclUser = null)
    {
        List<string> auth = [];
        if (password is not null) auth.AddRange(["--requirepass", password]);
        if (aclUser is { } user) auth.AddRange(["--user", user.Name, "on", ">" + user.Password, "~*", "&*", "+@all"]);
        var server = new RedisServer(FreeLoopbackPort(), [.. auth]);
        await server.StartAsync();
        return server;
    }

    /// <summary>Starts the server process (again) on the same port and waits until it answers PING.</summary>
    public async Task StartAsync()
    {
        if (_process is { HasExited: false }) throw new InvalidOperationException($"redis-server on port {Port} is already running.");
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = StartInfo(), EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => OnOutput(e.Data, ready);
        process.ErrorDataReceived += (_, e) => OnOutput(e.Data, ready);
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"redis-server on port {Port} exited at start:\n{Output}"));
        try
        {
            process.Start();
        }
        catch (Win32Exception exception)
        {
            process.Dispose();
            throw new InvalidOperationException("redis-server is not installed (not on PATH). Run ./test.sh, which installs it.", exception);
        }

        _process = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await ready.Task.WaitAsync(s_startTimeout);
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException($"redis-server on port {Port} did not get ready within {s_startTimeout}:\n{Output}");
        }

        await PingAsync();
    }

    /// <summary>Kills the server abruptly (clients see their connections drop) and waits until it is gone.</summary>
    public async Task StopAsync()
    {
        var process = _process;
        _process = null;
        if (process is null) return;
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless; failing a test over it is not.
        }
    }

    private string Output => string.Join('\n', _output);

    private ProcessStartInfo StartInfo()
    {
        var info = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string[] arguments = ["--port", $"{Port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _directory, .. _authArguments];
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        return info;
    }

    private void OnOutput(string? line, TaskCompletionSource ready)
    {
        if (line is null) return;
        _output.Enqueue(line);
        while (_output.Count > 100) _output.TryDequeue(out _);
        if (line.Contains("Ready to accept connections", StringComparison.Ordinal)) ready.TrySetResult();
    }

    /// <summary>An inline PING; with a password set the server answers -NOAUTH, which also proves it is serving.</summary>
    private async Task PingAsync()
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(s_startTimeout);
        await client.ConnectAsync(IPAddress.Loopback, Port, timeout.Token);
        var stream = client.GetStream();
        await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
        var buffer = new byte[64];
        var read = await stream.ReadAsync(buffer, timeout.Token);
        var reply = Encoding.ASCII.GetString(buffer, 0, read);
        if (!reply.StartsWith("+PONG", StringComparison.Ordinal) && !reply.StartsWith("-NOAUTH", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"redis-server on port {Port} answered PING with '{reply.Trim()}'.");
        }
    }

    private static int FreeLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
