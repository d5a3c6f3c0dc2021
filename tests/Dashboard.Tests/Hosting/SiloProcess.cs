using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;

namespace FleaMarket.Dashboard.Tests.Hosting;

/// <summary>
/// One real src/Silo process (the built FleaMarket.Silo.dll of this test run's configuration) on free loopback
/// ports. <see cref="Start"/> returns once the process runs; <see cref="WaitUntilReadyAsync"/> once it listens on its
/// ports and its admin port answers /health/ready with 200. Disposing kills the process tree and waits for it to exit.
/// </summary>
/// <remarks>
/// A port picked free here can be taken by another process (tests of other projects run on this machine too) before
/// the silo binds it; then a probe of that port may be answered by the other process. So the silo's own
/// "Now listening on" lines, not a probe, tell that it holds its ports.
/// </remarks>
internal sealed class SiloProcess : IAsyncDisposable
{
    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(180);
    private static readonly TimeSpan s_stopTimeout = TimeSpan.FromSeconds(20);
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private const string ListeningLine = "Now listening on: ";
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ConcurrentDictionary<string, bool> _listening = new(StringComparer.OrdinalIgnoreCase);
    private readonly Process _process;

    private SiloProcess(string name, int apiPort, int adminPort, bool servesApi, Process process)
    {
        Name = name;
        ApiUrl = new Uri($"http://127.0.0.1:{apiPort}");
        AdminUrl = new Uri($"http://127.0.0.1:{adminPort}");
        ServesApi = servesApi;
        _process = process;
    }

    public string Name { get; }

    /// <summary>The API port (<c>Urls</c>); it is listened on only when Api:Enabled is true.</summary>
    public Uri ApiUrl { get; }

    /// <summary>The admin port (<c>Admin:Urls</c>): dashboard, metrics, health.</summary>
    public Uri AdminUrl { get; }

    /// <summary>Whether the silo was started with Api:Enabled=true, so it listens on <see cref="ApiUrl"/> as well.</summary>
    public bool ServesApi { get; }

    /// <summary>Whether this process has bound every port it was given (its Kestrel said so).</summary>
    public bool IsListening => _listening.ContainsKey(AdminUrl.GetLeftPart(UriPartial.Authority))
        && (!ServesApi || _listening.ContainsKey(ApiUrl.GetLeftPart(UriPartial.Authority)));

    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the process wrote, for failure messages.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>
    /// Starts a silo named <paramref name="name"/> with <paramref name="settings"/> as environment variables. The
    /// silo and gateway ports are 0 (the silo picks free ones); the API and admin ports are picked here.
    /// </summary>
    public static SiloProcess Start(string name, IReadOnlyDictionary<string, string> settings)
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
        info.Environment["Silo__Port"] = "0";
        info.Environment["Silo__GatewayPort"] = "0";
        info.Environment["Urls"] = $"http://127.0.0.1:{apiPort}";
        info.Environment["Admin__Urls"] = $"http://127.0.0.1:{adminPort}";
        foreach (var (key, value) in settings) info.Environment[key] = value;
        // Kestrel's "Now listening on" lines, whatever the default log level.
        info.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";

        var servesApi = settings.TryGetValue("Api__Enabled", out var api) && bool.Parse(api);
        var silo = new SiloProcess(name, apiPort, adminPort, servesApi, new Process { StartInfo = info });
        silo._process.OutputDataReceived += (_, e) => silo.Record(e.Data);
        silo._process.ErrorDataReceived += (_, e) => silo.Record(e.Data);
        silo._process.Start();
        silo._process.BeginOutputReadLine();
        silo._process.BeginErrorReadLine();
        return silo;
    }

    /// <summary>
    /// Waits until the process listens on its ports, then polls /health/ready on the admin port until it answers 200:
    /// the silo is Active in its membership view. Throws <see cref="SiloExitedException"/> when the process ends first.
    /// </summary>
    public async Task WaitUntilReadyAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < s_readyTimeout)
        {
            ThrowIfExited();
            if (IsListening && await ReadyStatusAsync() == HttpStatusCode.OK) return;
            await Task.Delay(100);
        }

        throw new TimeoutException($"Silo {Name} was not ready on {AdminUrl} within {s_readyTimeout}:\n{Output}");
    }

    /// <summary>Throws <see cref="SiloExitedException"/> with the process's last output when it has ended.</summary>
    public void ThrowIfExited()
    {
        if (!_process.HasExited) return;
        // HasExited does not wait for the output readers: without this the last lines (why it refused to start)
        // may still be on their way, and the exception would carry an empty output. WaitForExit() without a
        // timeout returns once the redirected streams reached their end.
        _process.WaitForExit();
        throw new SiloExitedException($"Silo {Name} exited (code {_process.ExitCode}):\n{Output}", Output);
    }

    /// <summary>The status /health/ready answers now, or null while nothing listens on the admin port or it does not answer in time.</summary>
    public async Task<HttpStatusCode?> ReadyStatusAsync()
    {
        try
        {
            using var response = await s_http.GetAsync(new Uri(AdminUrl, "/health/ready"));
            return response.StatusCode;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>
    /// Asks the silo to shut down (SIGTERM: it leaves the membership table as Dead rather than being voted out)
    /// and waits for it to exit; kills it if it has not exited in time.
    /// </summary>
    public async Task StopAsync()
    {
        if (_process.HasExited) return;
        if (SendSigterm(_process.Id) == 0)
        {
            using var timeout = new CancellationTokenSource(s_stopTimeout);
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
                return;
            }
            catch (OperationCanceledException)
            {
                // Hung on shutdown: the kill below ends it.
            }
        }

        await KillAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    /// <summary>Kills the process and its children and waits until they are gone. Safe to call repeatedly.</summary>
    public async Task KillAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>The same as <see cref="KillAsync"/> for a process-exit handler, which cannot await.</summary>
    public void KillNow()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone or disposed.
        }
    }

    private void Record(string? line)
    {
        if (line is null) return;
        var listening = line.IndexOf(ListeningLine, StringComparison.Ordinal);
        if (listening >= 0) _listening[line[(listening + ListeningLine.Length)..].Trim().TrimEnd('/')] = true;
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

    /// <summary>A loopback port free now (another process may take it before it is bound).</summary>
    internal static int FreeLoopbackPort()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }

    private static int SendSigterm(int pid) => Kill(pid, 15);

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}

/// <summary>A silo process that ended before it was ready; <see cref="Output"/> says why.</summary>
internal sealed class SiloExitedException(string message, string output) : Exception(message)
{
    public string Output { get; } = output;
}
