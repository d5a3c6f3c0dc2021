using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FleaMarket.LoadTest.Tests.Infrastructure;

/// <summary>
/// A server started as <c>dotnet some.dll</c> with its settings in environment variables, ready once its health
/// URL answers 200, killed with its process tree on dispose. Its output is kept for failure messages. It runs in an
/// empty working directory of its own: the content root, so no appsettings.json lying around (the test output has
/// the API project's) changes its configuration.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private readonly string _workingDirectory;

    private ServerProcess(Process process, Uri baseUrl, string workingDirectory)
    {
        _process = process;
        BaseUrl = baseUrl;
        _workingDirectory = workingDirectory;
    }

    public Uri BaseUrl { get; }

    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    public static async Task<ServerProcess> StartAsync(string dll, string healthPath, IReadOnlyDictionary<string, string> environment, int port)
    {
        var workingDirectory = Directory.CreateTempSubdirectory("fm-server-").FullName;
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(dll);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {dll}.");
        var server = new ServerProcess(process, new Uri($"http://127.0.0.1:{port}"), workingDirectory);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilHealthyAsync(healthPath, TimeSpan.FromSeconds(60));
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task WaitUntilHealthyAsync(string healthPath, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The server exited with {_process.ExitCode}:\n{Output}");
            try
            {
                using var response = await http.GetAsync(new Uri(BaseUrl, healthPath));
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The server was not healthy at {healthPath} within {timeout}:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_workingDirectory, recursive: true);
    }
}
