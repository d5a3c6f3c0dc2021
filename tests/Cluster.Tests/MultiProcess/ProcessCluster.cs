using System.Net;
using FleaMarket.Cluster.Tests.Engines;
using FleaMarket.Runtime.Membership;

namespace FleaMarket.Cluster.Tests.MultiProcess;

/// <summary>
/// Two src/Silo processes (Redis membership, PostgreSQL storage, no HTTP API of their own) and one src/Api
/// process, on free loopback ports, logging into a temp directory. Disposing kills every process, also when
/// the test failed.
/// </summary>
internal sealed class ProcessCluster : IAsyncDisposable
{
    private readonly Dictionary<string, string> _engines;
    private readonly List<HostProcess> _processes = [];
    private readonly EngineServices _membership;

    private ProcessCluster(string directory, Dictionary<string, string> engines, EngineServices membership)
    {
        Directory = directory;
        _engines = engines;
        _membership = membership;
    }

    public string Directory { get; }

    public IReadOnlyList<HostProcess> Silos => [.. _processes.Where(p => p.Name.StartsWith("silo", StringComparison.Ordinal))];

    public HostProcess Api => _processes.Single(p => p.Name == "api");

    public Uri ApiAddress { get; private set; } = null!;

    /// <summary>Each silo's admin endpoint (dashboard, /metrics, probes) by silo name.</summary>
    public Dictionary<string, Uri> AdminAddresses { get; } = [];

    /// <summary>The silos' membership table in Redis, as the test sees it.</summary>
    public IMembershipTable MembershipTable => _membership.MembershipTable;

    public static ProcessCluster Create(string redisEndpoint, string postgresConnectionString)
    {
        var clusterId = $"procs-{Guid.NewGuid():N}";
        var engines = new Dictionary<string, string>
        {
            ["Engines__Membership"] = "Redis",
            ["Redis__Endpoint"] = redisEndpoint,
            ["Redis__ClusterId"] = clusterId,
        };
        var directory = System.IO.Directory.CreateTempSubdirectory("fm-procs-").FullName;
        var cluster = new ProcessCluster(directory, engines, EngineServices.Redis(redisEndpoint, clusterId));
        cluster._engines["PostgreSql__ConnectionString"] = postgresConnectionString;
        return cluster;
    }

    /// <summary>Starts both silos at once and waits until the table lists them Active; then starts the API and waits until it is ready.</summary>
    public async Task StartAsync()
    {
        foreach (var name in new[] { "silo-a", "silo-b" })
        {
            var admin = new Uri($"http://127.0.0.1:{HostProcess.FreePort()}");
            AdminAddresses[name] = admin;
            _processes.Add(HostProcess.Start(name, "Silo", Directory, new Dictionary<string, string>(_engines)
            {
                ["Api__Enabled"] = "false",
                ["Engines__Storage"] = "PostgreSql",
                ["Silo__SiloName"] = name,
                ["Silo__Port"] = $"{HostProcess.FreePort()}",
                ["Urls"] = $"http://127.0.0.1:{HostProcess.FreePort()}",
                ["Admin__Urls"] = admin.ToString().TrimEnd('/'),
                // Failure detection in seconds rather than the production 15 s, so the kill test stays short.
                ["Membership__ProbeTimeout"] = "00:00:00.500",
                ["Membership__IAmAlivePeriod"] = "00:00:01",
                ["Membership__TableRefreshPeriod"] = "00:00:01",
            }));
        }

        await WaitAsync(async () => (await ActiveSilosAsync()).Count == 2, "both silos are Active in the Redis membership table", TimeSpan.FromSeconds(60));

        ApiAddress = new Uri($"http://127.0.0.1:{HostProcess.FreePort()}");
        _processes.Add(HostProcess.Start("api", "Api", Directory, new Dictionary<string, string>(_engines)
        {
            ["Urls"] = ApiAddress.ToString().TrimEnd('/'),
        }));
        using var http = new HttpClient { BaseAddress = ApiAddress, Timeout = TimeSpan.FromSeconds(5) };
        await WaitAsync(async () =>
        {
            try
            {
                return (await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "the API node is ready", TimeSpan.FromSeconds(60));
    }

    /// <summary>Live activations per grain type on one silo, from its admin /metrics (gauge fleamarket_activations).</summary>
    public async Task<IReadOnlyDictionary<string, long>> ActivationsAsync(string silo)
    {
        using var http = new HttpClient { BaseAddress = AdminAddresses[silo], Timeout = TimeSpan.FromSeconds(5) };
        var text = await http.GetStringAsync("/metrics");
        const string prefix = "fleamarket_activations{grain_type=\"";
        return text.Split('\n')
            .Where(l => l.StartsWith(prefix, StringComparison.Ordinal))
            .Select(l => (Type: l[prefix.Length..l.IndexOf('"', prefix.Length)], Count: long.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture)))
            .ToDictionary(p => p.Type, p => p.Count);
    }

    public async Task<IReadOnlyList<MembershipEntry>> ActiveSilosAsync() =>
        [.. (await MembershipTable.ReadAllAsync()).Entries.Where(e => e.Status == SiloStatus.Active)];

    /// <summary>Waits for a condition, failing at once (with the logs) if a process exits on its own.</summary>
    public async Task WaitAsync(Func<Task<bool>> condition, string what, TimeSpan deadline)
    {
        await Eventually.WaitUntilAsync(async () =>
        {
            if (_processes.FirstOrDefault(p => p.HasExited) is { } exited && !_killed.Contains(exited))
            {
                throw new InvalidOperationException($"{exited.Name} exited while waiting until {what}.");
            }

            try
            {
                return await condition();
            }
            catch (Exception e) when (e is HttpRequestException or TimeoutException or TaskCanceledException)
            {
                return false;
            }
        }, what, deadline);
    }

    public async Task KillAsync(HostProcess process)
    {
        _killed.Add(process);
        await process.KillAsync();
    }

    private readonly HashSet<HostProcess> _killed = [];

    /// <summary>The tail of every process's log.</summary>
    public string Logs() => string.Join("\n", _processes.Select(p => p.Tail()));

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes) await process.DisposeAsync();
        await _membership.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }
}
