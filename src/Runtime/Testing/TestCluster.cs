using FleaMarket.Runtime.Client;
using FleaMarket.Runtime.Hosting;
using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.Persistence;
using FleaMarket.Runtime.Reminders;
using FleaMarket.Runtime.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FleaMarket.Runtime.Testing;

/// <summary>
/// Several silos and clients in one process, talking real TCP on loopback and sharing one in-memory
/// membership table, grain storage and reminder table — Orleans' TestingHost for this runtime. Silos can be
/// added, stopped gracefully and killed abruptly while calls run.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly TestClusterOptions _options;
    private readonly List<TestSilo> _silos = [];
    private readonly List<ClusterClient> _clients = [];
    private int _siloCounter;

    /// <summary>Creates the cluster; <see cref="DeployAsync"/> starts it.</summary>
    public TestCluster(TestClusterOptions? options = null) => _options = options ?? new TestClusterOptions();

    /// <summary>The membership table every silo and client uses (<see cref="TestClusterOptions.MembershipTable"/>, or an in-memory one).</summary>
    public IMembershipTable MembershipTable => _options.MembershipTable ??= new InMemoryMembershipTable();

    /// <summary>The default grain storage shared by every silo.</summary>
    public InMemoryGrainStorage Storage { get; } = new();

    /// <summary>The default journal storage shared by every silo.</summary>
    public InMemoryJournalStorage Journal { get; } = new();

    /// <summary>The reminder table shared by every silo.</summary>
    public InMemoryReminderTable Reminders { get; } = new();

    /// <summary>Silos that are running (not stopped or killed).</summary>
    public IReadOnlyList<TestSilo> Silos
    {
        get
        {
            lock (_silos) return [.. _silos.Where(s => !s.Silo.Stopped.IsCompleted)];
        }
    }

    /// <summary>The first client, created by <see cref="DeployAsync"/>.</summary>
    public ClusterClient Client { get; private set; } = null!;

    /// <summary>Starts the initial silos one after another and a client.</summary>
    public async Task DeployAsync()
    {
        for (var i = 0; i < _options.InitialSilos; i++) await StartAdditionalSiloAsync().ConfigureAwait(false);
        Client = await CreateClientAsync().ConfigureAwait(false);
    }

    /// <summary>Starts one more silo on a free loopback port; returns once it is Active.</summary>
    public async Task<TestSilo> StartAdditionalSiloAsync()
    {
        var name = $"silo-{Interlocked.Increment(ref _siloCounter)}";
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(_options.TimeProvider);
        services.AddSingleton(MembershipTable);
        var storage = new KillableGrainStorage(Storage);
        if (_options.UseInMemoryStorage)
        {
            services.AddKeyedSingleton<IGrainStorage>(GrainStorage.DefaultName, storage);
            services.AddSingleton<IReminderTable>(Reminders);
            services.AddKeyedSingleton<IJournalStorage>(GrainStorage.DefaultName, new KillableJournalStorage(Journal, storage));
        }
        services.AddSilo(silo =>
        {
            silo.SiloName = name;
            silo.Port = 0;
        });
        services.Configure<ClusterMembershipOptions>(CopyMembershipOptions);
        _options.ConfigureSilo?.Invoke(services);
        var provider = services.BuildServiceProvider();
        foreach (var hosted in provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>().Where(h => h is not SiloHostedService))
        {
            // Engine providers prepare their schema in hosted services; a test silo runs them as a host would.
            await hosted.StartAsync(CancellationToken.None).ConfigureAwait(false);
        }

        var silo = provider.GetRequiredService<Silo>();
        await silo.StartAsync().ConfigureAwait(false);
        var testSilo = new TestSilo(name, silo, provider) { Storage = storage };
        lock (_silos) _silos.Add(testSilo);
        return testSilo;
    }

    /// <summary>Connects a new client to the cluster.</summary>
    public async Task<ClusterClient> CreateClientAsync(MessagingOptions? messaging = null)
    {
        var client = new ClusterClient(MembershipTable, new ClusterClientOptions { ViewRefreshPeriod = _options.Membership.TableRefreshPeriod },
            messaging, timeProvider: _options.TimeProvider);
        await client.ConnectAsync().ConfigureAwait(false);
        lock (_clients) _clients.Add(client);
        return client;
    }

    /// <summary>Stops a silo gracefully: its grains are handed off before it leaves.</summary>
    public Task StopSiloAsync(TestSilo silo) => silo.Silo.StopAsync();

    /// <summary>Kills a silo abruptly: it stops answering and its peers must declare it dead.</summary>
    public void KillSilo(TestSilo silo)
    {
        silo.Storage?.Kill();
        silo.Silo.Kill();
    }

    /// <summary>
    /// Waits until the table lists exactly the running silos as Active and every running silo and client has
    /// adopted the table's current version.
    /// </summary>
    public async Task WaitForLivenessToStabilizeAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var snapshot = await MembershipTable.ReadAllAsync().ConfigureAwait(false);
            var running = Silos.Select(s => s.Silo.Address).ToHashSet();
            var active = snapshot.Entries.Where(e => e.Status == SiloStatus.Active).Select(e => e.Silo).ToHashSet();
            if (active.SetEquals(running))
            {
                foreach (var client in _clients) await client.RefreshViewAsync().ConfigureAwait(false);
                foreach (var silo in Silos) await silo.Silo.Membership.RefreshAsync().ConfigureAwait(false);
                if (Silos.All(s => s.Silo.View.Version == snapshot.Version) && _clients.All(c => c.View.Version >= snapshot.Version)) return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Membership did not stabilise: table v{snapshot.Version} Active [{string.Join(", ", active)}], running [{string.Join(", ", running)}].");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50)).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients) await client.DisposeAsync().ConfigureAwait(false);
        List<TestSilo> silos;
        lock (_silos) silos = [.. _silos];
        foreach (var silo in silos)
        {
            silo.Silo.Kill();
            await silo.Silo.Stopped.ConfigureAwait(false);
            await silo.Services.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void CopyMembershipOptions(ClusterMembershipOptions target)
    {
        var source = _options.Membership;
        foreach (var property in typeof(ClusterMembershipOptions).GetProperties().Where(p => p.CanWrite))
        {
            property.SetValue(target, property.GetValue(source));
        }
    }
}

/// <summary>One silo of a <see cref="TestCluster"/>.</summary>
public sealed record TestSilo(string Name, Silo Silo, ServiceProvider Services)
{
    internal KillableGrainStorage? Storage { get; init; }

    /// <summary>Grain ids with a live activation on this silo.</summary>
    public IReadOnlyList<GrainId> ActivationIds => [.. Silo.ActivationIds];
}
