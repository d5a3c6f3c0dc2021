using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace FleaMarket.Dashboard.Tests.Hosting;

/// <summary>
/// One real src/Silo process (the built FleaMarket.Silo.dll of this test run's configuration) on free loopback
/// ports. Started with <see cref="StartAsync"/>, which returns once the silo's admin port reports it Active.
/// </summary>
internal sealed class SiloProcess : IAsyncDisposable
{
    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(60);
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly ConcurrentQueue<string> _output = new();
    private readonly Process _process;

    private SiloProcess(string name, int apiPort, int adminPort, Process process)
    {
        Name = name;
        ApiUrl = new Uri($"http://127.0.0.1:{apiPort}");
        AdminUrl = new Uri($"http://127.0.0.1:{adminPort}");
        _process = process;
    }

    public string Name { get; }

    /// <summary>The API port (<c>Urls</c>); it serves the API only when Api:Enabled is true.</summary>
    public Uri ApiUrl { get; }

    /// <summary>The admin port (<c>Admin:Urls</c>): dashboard, metrics, health.</summary>
    public Uri AdminUrl { get; }

    public string Output => string.Join('\n', _output);

    /// <summary>Starts a silo named <paramref name="name"/> with <paramref name="settings"/> as environment variables.</summary>
    public static async Task<SiloProcess> StartAsync(string name, IReadOnlyDictionary<string, string> settings)
    {
        var (apiPort, adminPort) = (FreeLoopbackPort(), FreeLoopbackPort());
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Directory.CreateTempSubdirectory("fleamarket-dashboard-silo-").FullName,
        };
        info.ArgumentList.Add(SiloDll);
        info.Environment["Silo__SiloName"] = name;
        info.Environment["Silo__Port"] = $"{FreeLoopbackPort()}";
        info.Environment["Urls"] = $"http://127.0.0.1:{apiPort}";
        info.Environment["Admin__Urls"] = $"http://127.0.0.1:{adminPort}";
        foreach (var (key, value) in settings) info.Environment[key] = value;

        var silo = new SiloProcess(name, apiPort, adminPort, new Process { StartInfo = info });
        silo._process.OutputDataReceived += (_, e) => silo.Record(e.Data);
        silo._process.ErrorDataReceived += (_, e) => silo.Record(e.Data);
        silo._process.Start();
        silo._process.BeginOutputReadLine();
        silo._process.BeginErrorReadLine();
        await silo.WaitUntilReadyAsync();
        return silo;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    /// <summary>Polls /health/ready on the admin port: the silo is Active in its view, the dashboard is serving.</summary>
    private async Task WaitUntilReadyAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < s_readyTimeout)
        {
            if (_process.HasExited) throw new InvalidOperationException($"Silo {Name} exited at start (code {_process.ExitCode}):\n{Output}");
            try
            {
                using var response = await s_http.GetAsync(new Uri(AdminUrl, "/health/ready"));
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"Silo {Name} was not ready on {AdminUrl} within {s_readyTimeout}:\n{Output}");
    }

    private void Record(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        while (_output.Count > 300) _output.TryDequeue(out _);
    }

    /// <summary>src/Silo's build output for this test assembly's configuration (Debug or Release).</summary>
    private static string SiloDll
    {
        get
        {
            var configuration = typeof(SiloProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
            var root = new DirectoryInfo(AppContext.BaseDirectory);
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "FleaMarket.Orleans.sln"))) root = root.Parent;
            if (root is null) throw new InvalidOperationException($"No FleaMarket.Orleans.sln above {AppContext.BaseDirectory}.");
            var dll = Path.Combine(root.FullName, "src", "Silo", "bin", configuration, "net10.0", "FleaMarket.Silo.dll");
            return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is missing: build src/Silo in {configuration} first.");
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }
}
