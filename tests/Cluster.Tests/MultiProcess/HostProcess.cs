using System.Diagnostics;
using System.Reflection;

namespace FleaMarket.Cluster.Tests.MultiProcess;

/// <summary>
/// One built host (src/Silo or src/Api) running as its own OS process: <c>dotnet FleaMarket.X.dll</c> with its
/// settings in environment variables, stdout and stderr captured to a log file.
/// </summary>
internal sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _logGate = new();
    private readonly List<Uri> _listeningOn = [];

    private HostProcess(string name, Process process, string logPath, StreamWriter log)
    {
        Name = name;
        _process = process;
        LogPath = logPath;
        _log = log;
    }

    public string Name { get; }

    public string LogPath { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The addresses Kestrel reported ("Now listening on: ..."), so hosts can bind port 0 and the test learns the port.</summary>
    public IReadOnlyList<Uri> ListeningOn
    {
        get
        {
            lock (_logGate) return [.. _listeningOn];
        }
    }

    /// <summary>Starts <paramref name="project"/>'s dll (e.g. "Silo" → src/Silo/bin/{configuration}/net10.0/FleaMarket.Silo.dll).</summary>
    public static HostProcess Start(string name, string project, string directory, IReadOnlyDictionary<string, string> environment)
    {
        var dll = HostDll(project);
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} is missing: build the solution first (./test.sh does).");

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.Environment["DOTNET_gcServer"] = "0";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ";
        // Orleans logs every placement decision through Polly at Information.
        start.Environment["Logging__LogLevel__Polly"] = "Warning";
        foreach (var (key, value) in environment) start.Environment[key] = value;

        var logPath = Path.Combine(directory, $"{name}.log");
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = new Process { StartInfo = start };
        var host = new HostProcess(name, process, logPath, log);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>SIGKILL (Process.Kill on Linux): the process gets no chance to leave the cluster or flush anything.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>How many lines of the log so far contain <paramref name="fragment"/>.</summary>
    public int LogCount(string fragment)
    {
        lock (_logGate) _log.Flush();
        using var reader = new StreamReader(new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        var count = 0;
        while (reader.ReadLine() is { } line)
        {
            if (line.Contains(fragment, StringComparison.Ordinal)) count++;
        }

        return count;
    }

    /// <summary>The last lines of the log, for a failure message.</summary>
    public string Tail(int lines = 40)
    {
        lock (_logGate) _log.Flush();
        using var reader = new StreamReader(new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        var all = reader.ReadToEnd().Split('\n');
        return $"--- {Name} ({LogPath}), last {lines} lines ---\n{string.Join('\n', all.TakeLast(lines))}";
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        finally
        {
            _process.Dispose();
            lock (_logGate) _log.Dispose();
        }
    }

    private void Append(string? line)
    {
        if (line is null) return;
        const string listening = "Now listening on: ";
        var at = line.IndexOf(listening, StringComparison.Ordinal);
        lock (_logGate)
        {
            if (at >= 0 && Uri.TryCreate(line[(at + listening.Length)..].Trim(), UriKind.Absolute, out var uri)) _listeningOn.Add(uri);
            try
            {
                _log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // Output that arrives after dispose is of no interest.
            }
        }
    }

    /// <summary>The host's dll built in the same configuration as this test assembly.</summary>
    private static string HostDll(string project)
    {
        var configuration = typeof(HostProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "FleaMarket.Orleans.sln"))) directory = directory.Parent;
        if (directory is null) throw new InvalidOperationException($"No FleaMarket.Orleans.sln above {AppContext.BaseDirectory}.");
        return Path.Combine(directory.FullName, "src", project, "bin", configuration, "net10.0", $"FleaMarket.{project}.dll");
    }
}
