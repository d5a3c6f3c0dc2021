using System.Net;
using FleaMarket.TestKit;

namespace FleaMarket.Cluster.Tests.MultiProcess;

/// <summary>
/// src/Silo processes (Redis membership, PostgreSQL storage, no HTTP API of their own) and src/Api processes
/// (Redis membership) of one fresh Orleans cluster and service id, every port picked by the process itself (port 0,
/// read back from the log), logging into a temp directory. Disposing kills every process, also when the test failed.
/// </summary>
internal sealed class ProcessCluster : IAsyncDisposable
{
    private readonly Dictionary<string, string> _settings;
    private readonly List<HostProcess> _processes = [];
    private readonly HashSet<HostProcess> _killed = [];
    private ClusterObserver? _observer;

    private ProcessCluster(string directory, Dictionary<string, string> settings, string clusterId)
    {
        Directory = directory;
        _settings = settings;
        ClusterId = clusterId;
    }

    public string Directory { get; }

    public string ClusterId { get; }

    /// <summary>Also the journal's and the reminders' service id: fresh per cluster, as its database is.</summary>
    public string ServiceId => ClusterId;

    public string RedisConfiguration => _settings["Redis__Configuration"];

    public IReadOnlyList<HostProcess> Silos => [.. _processes.Where(p => p.Name.StartsWith("silo", StringComparison.Ordinal))];

    public IReadOnlyList<HostProcess> LiveSilos => [.. Silos.Where(s => !_killed.Contains(s))];

    public Uri ApiAddress { get; private set; } = null!;

    /// <summary>The test's own Orleans client of this cluster (membership, where grains live); connected by <see cref="StartAsync"/>.</summary>
    public ClusterObserver Observer => _observer ?? throw new InvalidOperationException("The cluster has not started.");

    /// <param name="redis">The redis-server holding the membership table (host:port).</param>
    /// <param name="postgres">Connection string of a fresh database for grain state, journals and reminders.</param>
    /// <param name="settings">Extra settings for every silo (configuration keys in environment form, e.g. Markets__WarmUpLead).</param>
    public static ProcessCluster Create(string redis, string postgres, IReadOnlyDictionary<string, string>? settings = null)
    {
        var clusterId = $"procs-{Guid.NewGuid():N}"[..20];
        var all = new Dictionary<string, string>
        {
            ["Redis__Configuration"] = redis,
            ["PostgreSql__ConnectionString"] = postgres,
            ["Cluster__ClusterId"] = clusterId,
            ["Cluster__ServiceId"] = clusterId,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) all[key] = value;
        return new ProcessCluster(System.IO.Directory.CreateTempSubdirectory("fm-procs-").FullName, all, clusterId);
    }

    /// <summary>
    /// Starts <paramref name="silos"/> silos and one API node at once, waits until every silo is Active and the API
    /// answers ready, then connects the observer.
    /// </summary>
    public async Task StartAsync(int silos = 2)
    {
        var started = Enumerable.Range(0, silos).Select(i => StartSilo($"silo-{(char)('a' + i)}")).ToList();
        var api = HostProcess.Start("api", "Api", Directory, new Dictionary<string, string>(s_apiLimitsLifted)
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Cluster__Membership"] = "Redis",
            ["Cluster__ClusterId"] = ClusterId,
            ["Cluster__ServiceId"] = ServiceId,
            ["Redis__Configuration"] = RedisConfiguration,
        });
        _processes.Add(api);
        foreach (var silo in started) await WaitUntilReadyAsync(silo);
        await WaitAsync(() => Task.FromResult(api.ListeningOn.Count > 0), "the API node listens", StartDeadline);
        ApiAddress = api.ListeningOn[0];
        await WaitUntilHealthyAsync(ApiAddress, "the API node is ready");
        _observer = await ClusterObserver.ConnectAsync(RedisConfiguration, ClusterId, ServiceId);
    }

    /// <summary>
    /// Starts <paramref name="silos"/> silos that serve the API themselves (no separate API tier, as
    /// <c>deploy/local/cluster.sh up --apis 0</c> runs them); each silo's API address is its only listening address
    /// (<see cref="AdminAddress"/>: health and /metrics are on it). <see cref="ApiAddress"/> is the first silo's.
    /// </summary>
    public async Task StartCohostedAsync(int silos = 2)
    {
        var started = Enumerable.Range(0, silos).Select(i => StartSilo($"silo-{(char)('a' + i)}", serveApi: true)).ToList();
        foreach (var silo in started) await WaitUntilReadyAsync(silo);
        ApiAddress = AdminAddress(started[0]);
        _observer = await ClusterObserver.ConnectAsync(RedisConfiguration, ClusterId, ServiceId);
    }

    /// <summary>Every test client is 127.0.0.1 and these tests are about faults, not the abuse limits.</summary>
    private static readonly Dictionary<string, string> s_apiLimitsLifted = new()
    {
        ["Api__LoginsPerAddress"] = "100000",
        ["Api__RegistrationsPerAddress"] = "100000",
        ["Api__ReadsPerSecond"] = "100000",
        ["Api__ReadBurst"] = "100000",
        ["Api__PurchasesPerSecond"] = "100000",
        ["Api__PurchaseBurst"] = "100000",
        ["Api__FeedConnectionsPerAddress"] = "100000",
    };

    /// <summary>How long a process may take to start on a loaded two-core machine.</summary>
    public static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Starts one more silo process with the cluster's settings (not waiting for it); with <paramref name="serveApi"/>
    /// it serves the HTTP API on its one listening address instead of an admin endpoint.
    /// </summary>
    public HostProcess StartSilo(string name, bool serveApi = false)
    {
        var settings = new Dictionary<string, string>(_settings)
        {
            ["Api__Enabled"] = serveApi ? "true" : "false",
            ["Engines__Membership"] = "Redis",
            ["Engines__Storage"] = "PostgreSql",
            ["Silo__SiloName"] = name,
            ["Silo__Port"] = "0",
            ["Silo__GatewayPort"] = "0",
            ["Admin__Urls"] = "http://127.0.0.1:0",
            ["Dashboard__Enabled"] = "false",
            // Failure detection in a few seconds, and a silo that died is stale in the table after 3 s, so a silo
            // joining after a kill does not wait for the dead one (Orleans: 3 × IAmAliveTablePublishTimeout).
            ["Membership__ProbeTimeout"] = "00:00:01",
            ["Membership__NumMissedProbesLimit"] = "2",
            ["Membership__TableRefreshTimeout"] = "00:00:01",
            ["Membership__IAmAliveTablePublishTimeout"] = "00:00:01",
            // After a crash the strongly consistent directory holds the dead silo's grains for this lease minus the
            // failure-detection time (Orleans' default lease: 30 s). The killed processes here are dead for sure.
            ["GrainDirectory__RangeLeaseDuration"] = "00:00:05",
            // PBKDF2 at production strength costs ~50 ms a login on this machine; the tests sign up dozens of users.
            ["PasswordHasher__IterationCount"] = "1000",
        };
        if (serveApi)
        {
            foreach (var (key, value) in s_apiLimitsLifted) settings[key] = value;
            settings["Urls"] = "http://127.0.0.1:0";
            settings["Admin__Enabled"] = "false";
        }

        var silo = HostProcess.Start(name, "Silo", Directory, settings);
        _processes.Add(silo);
        return silo;
    }

    /// <summary>Waits until the silo's admin endpoint answers ready: Active in its own membership view.</summary>
    public async Task WaitUntilReadyAsync(HostProcess silo)
    {
        await WaitAsync(() => Task.FromResult(silo.ListeningOn.Count > 0), $"{silo.Name} listens on its admin port", StartDeadline);
        await WaitUntilHealthyAsync(AdminAddress(silo), $"{silo.Name} is Active");
    }

    /// <summary>The silo's admin endpoint (/health, /metrics); the API's address for a silo that serves it.</summary>
    public static Uri AdminAddress(HostProcess silo) => silo.ListeningOn.Count > 0
        ? silo.ListeningOn[0]
        : throw new InvalidOperationException($"{silo.Name} has not reported its admin address yet.");

    /// <summary>This silo's view of the cluster from its /metrics: the gauge fleamarket_silos by status.</summary>
    public static async Task<IReadOnlyDictionary<string, int>> SiloViewAsync(HostProcess silo)
    {
        using var http = new HttpClient { BaseAddress = AdminAddress(silo), Timeout = TimeSpan.FromSeconds(5) };
        var text = await http.GetStringAsync("/metrics");
        return text.Split('\n')
            .Where(l => l.StartsWith("fleamarket_silos{", StringComparison.Ordinal))
            .Select(l =>
            {
                var status = l[(l.IndexOf("status=\"", StringComparison.Ordinal) + 8)..];
                return (Status: status[..status.IndexOf('"', StringComparison.Ordinal)],
                    Count: int.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
            })
            .ToDictionary(p => p.Status, p => p.Count);
    }

    /// <summary>Waits for a condition, failing at once (with the logs) if a process exits on its own.</summary>
    public async Task WaitAsync(Func<Task<bool>> condition, string what, TimeSpan deadline)
    {
        await Eventually.WaitUntilAsync(async () =>
        {
            if (_processes.FirstOrDefault(p => p.HasExited && !_killed.Contains(p)) is { } exited)
            {
                throw new InvalidOperationException($"{exited.Name} exited while waiting until {what}.");
            }

            try
            {
                return await condition();
            }
            catch (Exception e) when (e is HttpRequestException or TimeoutException or OperationCanceledException or OrleansException)
            {
                // Not yet: while a silo is dying, a call may be cancelled by Orleans itself (a grain-directory lookup
                // on the dead silo's partition throws OperationCanceledException, not only TaskCanceledException).
                return false;
            }
        }, what, deadline);
    }

    /// <summary>SIGKILL.</summary>
    public async Task KillAsync(HostProcess process)
    {
        _killed.Add(process);
        await process.KillAsync();
    }

    /// <summary>Set to a directory to keep every process's full log there (the temp directory is deleted).</summary>
    public const string KeepLogsVariable = "FLEAMARKET_TEST_LOGS";

    /// <summary>The tail of every process's log.</summary>
    public string Logs() => string.Join("\n", _processes.Select(p => p.Tail()));

    /// <summary>Runs a test on this cluster; when it fails, the test's output gets every process's log tail first.</summary>
    public async Task RunShowingLogsOnFailureAsync(Func<ProcessCluster, Task> test, Xunit.Abstractions.ITestOutputHelper output)
    {
        try
        {
            await test(this);
        }
        catch
        {
            output.WriteLine(Logs());
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_observer is not null) await _observer.DisposeAsync();
        foreach (var process in _processes) await process.DisposeAsync();
        if (Environment.GetEnvironmentVariable(KeepLogsVariable) is { Length: > 0 } keep)
        {
            var target = System.IO.Directory.CreateDirectory(Path.Combine(keep, Path.GetFileName(Directory))).FullName;
            foreach (var log in System.IO.Directory.EnumerateFiles(Directory, "*.log")) File.Copy(log, Path.Combine(target, Path.GetFileName(log)));
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    private Task WaitUntilHealthyAsync(Uri address, string what) => WaitAsync(async () =>
    {
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(5) };
        return (await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK;
    }, what, StartDeadline);
}
