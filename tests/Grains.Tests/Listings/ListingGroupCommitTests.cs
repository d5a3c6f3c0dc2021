using FleaMarket.Persistence;
using FleaMarket.Persistence.Journals;
using FleaMarket.TestKit;
using FleaMarket.TestKit.Orleans;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace FleaMarket.Grains.Tests.Listings;

public sealed class ListingGroupCommitTests : IAsyncLifetime
{
    private readonly GatedJournal _journal = new(new ServiceCollection().AddInMemoryJournal().BuildServiceProvider().GetRequiredService<IJournalStorage>());
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddSharedGrainStorageAsDefault(new SharedGrainStore());
            silo.Services.AddFleaMarketGrains();
            silo.Services.Configure<Orleans.Serialization.Configuration.TypeManifestOptions>(o => o.EnableConfigurationAnalysis = true);
            silo.Services.AddSingleton<IJournalStorage>(_journal);
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Purchase_ManyQueuedDuringOneWrite_CommitInOneBatchAndAckOnlyAfterIt()
    {
        var listing = await NewListingAsync(quantity: 1000);
        var first = listing.Purchase("buyer-0", 1, "k0");
        await _journal.FirstAppendStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // While the first write is held, 200 more purchases reserve stock and queue behind it.
        var queued = Enumerable.Range(1, 200).Select(i => listing.Purchase($"buyer-{i}", 1, $"k{i}")).ToList();
        await Eventually.WaitUntilAsync(async () => (await listing.Get())!.Remaining == 799);
        Assert.False(first.IsCompleted);
        Assert.DoesNotContain(queued, p => p.IsCompleted);

        _journal.Open();
        var results = await Task.WhenAll(queued.Prepend(first)).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.All(results, r => Assert.Equal(PurchaseError.None, r.Error));
        Assert.Equal(201, _journal.Events);
        Assert.Equal(2, _journal.Appends);
    }

    [Fact]
    public async Task Purchase_BatchWriteFails_EveryoneInItFailsAndStockReturns()
    {
        var listing = await NewListingAsync(quantity: 10);
        _journal.Failure = new InvalidOperationException("disk full");
        var batch = Enumerable.Range(0, 5).Select(i => listing.Purchase($"buyer-{i}", 2, $"k{i}")).ToList();
        // Every unit is reserved (one write held at the gate, the rest queued behind it) before any write fails.
        await Eventually.WaitUntilAsync(async () => (await listing.Get())!.Remaining == 0);
        _journal.Open();
        foreach (var purchase in batch) await Assert.ThrowsAsync<InvalidOperationException>(() => purchase);
        _journal.Failure = null;

        var view = await listing.Get();
        Assert.Equal(10, view!.Remaining);
        Assert.Empty(await listing.GetOrders(null));
        var retry = await listing.Purchase("buyer-0", 2, "k0");
        Assert.Equal(PurchaseError.None, retry.Error);
        Assert.Equal(8, (await listing.Get())!.Remaining);
    }

    private async Task<IListingGrain> NewListingAsync(int quantity)
    {
        var id = $"l_{Guid.NewGuid():N}";
        var listing = _cluster.Client.GetGrain<IListingGrain>(id);
        await listing.Initialize(new ListingSetup(id, "m_test", "u_seller", new NewListing("Lamp", null, 1500, quantity, null),
            DateTimeOffset.UtcNow.AddMinutes(-1), null));
        return listing;
    }
}
