using FleaMarket.Persistence;
using FleaMarket.Persistence.Journals;
using FleaMarket.TestKit;
using FleaMarket.TestKit.Orleans;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace FleaMarket.Grains.Tests;

/// <summary>
/// One single-silo test cluster for the grain tests of a collection: grain state in a store that counts writes,
/// journals in memory, reminders in memory, and the grains on a fake clock (Orleans' own timers stay on real
/// time). Tests use fresh random keys, so none depends on another's data.
/// </summary>
public sealed class GrainClusterFixture : IAsyncLifetime
{
    public const string Collection = "grain cluster";

    public SharedGrainStore Store { get; } = new();

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    /// <summary>Holds the journal's appends while a test wants a commit in flight.</summary>
    public JournalGate Journal { get; } = new();

    /// <summary>The listings' bound on purchases waiting to be durable, small enough to reach in a test.</summary>
    public const int MaxPendingPurchases = 50;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddSharedGrainStorageAsDefault(Store);
            silo.UseInMemoryReminderService();
            silo.Services.AddInMemoryJournal();
            var journal = silo.Services.Last(d => d.ServiceType == typeof(IJournalStorage));
            silo.Services.Remove(journal);
            silo.Services.AddSingleton<IJournalStorage>(sp => new GatedJournal(
                (IJournalStorage)(journal.ImplementationInstance ?? journal.ImplementationFactory?.Invoke(sp) ?? ActivatorUtilities.CreateInstance(sp, journal.ImplementationType!)),
                Journal));
            silo.Services.Configure<FleaMarket.Grains.Listings.ListingOptions>(o => o.MaxPendingPurchases = MaxPendingPurchases);
            silo.Services.AddFleaMarketGrains();
            silo.Services.Configure<Orleans.Serialization.Configuration.TypeManifestOptions>(o => o.EnableConfigurationAnalysis = true);
            silo.Services.Configure<PasswordHasherOptions>(o => o.IterationCount = 1000);
            silo.Services.RemoveAll<TimeProvider>();
            silo.Services.AddSingleton<TimeProvider>(Clock);
            silo.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
        });
        Cluster = builder.Build();
        using var reminders = new ReminderServicesStarted();
        await Cluster.DeployAsync();
        await reminders.WaitForAsync(() => Cluster.GetActiveSilos().Select(s => s.SiloAddress), TimeSpan.FromSeconds(90));
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    public bool IsActivated(IAddressable grain) => Cluster.TryGetGrainContext(grain.GetGrainId(), out _);

    /// <summary>Events in a journal stream (the silo's journal storage).</summary>
    public Task<long> JournalLengthAsync(string journal, string stream) => JournalStorage.GetLengthAsync(journal, stream);

    /// <summary>The silos' journals (one in-memory store per service id, shared by every silo of the cluster).</summary>
    public IJournalStorage JournalStorage => Cluster.GetSiloServiceProvider(Cluster.GetActiveSilos().First().SiloAddress).GetRequiredService<IJournalStorage>();

    /// <summary>Asserts that <paramref name="grain"/> is no longer activated (waiting for its deactivation to finish) and that nothing stored its state.</summary>
    public async Task AssertLeftNothingAsync(IAddressable grain)
    {
        await Eventually.WaitUntilAsync(() => !IsActivated(grain), $"{grain.GetGrainId()} to deactivate", TimeSpan.FromSeconds(5));
        Assert.Equal(0, Store.WritesOf(grain.GetGrainId()));
    }
}

[CollectionDefinition(GrainClusterFixture.Collection)]
public sealed class GrainClusterCollection : ICollectionFixture<GrainClusterFixture>;
