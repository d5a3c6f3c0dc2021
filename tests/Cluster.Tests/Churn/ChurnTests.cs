using FleaMarket.Grains;
using FleaMarket.Persistence;
using FleaMarket.TestKit;
using FleaMarket.TestKit.Orleans;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace FleaMarket.Cluster.Tests.Churn;

/// <summary>
/// Silos join, stop and die under a continuous purchase load on a few listings of an in-process cluster with the
/// strongly consistent grain directory, as the silo host configures it. Throughout, no listing ever has two live
/// activations; at the end nothing was oversold and every acknowledged order is in its listing's journal, once.
/// </summary>
public sealed class ChurnTests(ITestOutputHelper output)
{
    /// <summary>Units of each listing: the last sells out under the load (the test waits for it), the others never do.</summary>
    private static readonly int[] s_stock = [1_000_000, 1_000_000, 1_000_000, 1_000];

    /// <summary>Purchases of each listing on sale acknowledged after every step before the next one.</summary>
    private const int PurchasesPerStep = 100;

    private const int Buyers = 16;

    [Fact]
    public async Task Purchase_SilosJoinStopAndDieUnderLoad_OneActivationPerListingAndNoOrderLost()
    {
        var ledger = new ActivationLedger("listing");
        var store = new SharedGrainStore();
        var builder = new InProcessTestClusterBuilder(3);
        builder.Options.ConfigureFileLogging = false;
#pragma warning disable ORLEANSEXP003 // the strongly consistent directory, as src/Silo configures it
        builder.Options.UseDistributedGrainDirectory = true;
#pragma warning restore ORLEANSEXP003
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddSharedGrainStorageAsDefault(store);
            silo.UseInMemoryReminderService();
            silo.Services.AddInMemoryJournal();
            silo.Services.AddFleaMarketGrains();
            silo.Services.Configure<Orleans.Serialization.Configuration.TypeManifestOptions>(o => o.EnableConfigurationAnalysis = true);
            ledger.Observe(silo.Services);
        });
        // A call stranded on a killed silo fails after 5 s and is retried, instead of holding its buyer for 30 s.
        builder.ConfigureClient(client => client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(5)));
        await using var cluster = builder.Build();
        await cluster.DeployAsync();

        var grains = cluster.Client;
        var seller = $"u_seller_{Guid.NewGuid():N}";
        var market = grains.GetGrain<IMarketGrain>($"m_{Guid.NewGuid():N}");
        await market.Create(new NewMarket(seller, "Churn", null, DateTimeOffset.UtcNow.AddMinutes(-1), null));
        var listings = new List<string>();
        foreach (var stock in s_stock)
        {
            var added = await market.AddListing(seller, new NewListing("Item", null, 500, stock, null));
            listings.Add(added.Listing!.ListingId);
        }

        await using var load = new PurchaseLoad(grains, listings, Buyers);
        var timeline = new Timeline(output);
        await ProgressAsync("the load runs");
        await StepAsync("a fourth silo joins", () => cluster.StartAdditionalSiloAsync());
        await StepAsync("the silo holding most listings stops", () => StopAsync(Busiest()));
        await StepAsync("the silo holding most listings is killed", () => KillAsync(Busiest()));
        await StepAsync("a silo joins", () => cluster.StartAdditionalSiloAsync());
        await StepAsync("another silo joins", () => cluster.StartAdditionalSiloAsync());
        await StepAsync("the silo holding most listings is killed", () => KillAsync(Busiest()));
        await StepAsync("the silo holding most listings stops", () => StopAsync(Busiest()));
        await Eventually.WaitUntilAsync(() => load.CountsByListing().GetValueOrDefault(listings[^1]) == s_stock[^1],
            $"the last listing sells out ({load.CountsByListing().GetValueOrDefault(listings[^1])} of {s_stock[^1]} sold)", TimeSpan.FromSeconds(45));
        await load.StopAsync();
        var acknowledged = load.Acknowledged.ToList();
        timeline.Mark($"{acknowledged.Count} purchases acknowledged; failed attempts retried: {load.Failures}; " +
            $"activations per listing: {string.Join(", ", ledger.Activations.Values)}");

        // Never two live activations of a listing, and the churn did move them.
        Assert.Empty(ledger.Duplicates);
        Assert.True(ledger.Activations.Values.Sum() >= listings.Count + 4, $"the churn moved listings only {ledger.Activations.Values.Sum() - listings.Count} times");

        // No oversell, nothing lost, nothing sold twice: each listing's journal holds exactly the acknowledged orders.
        for (var i = 0; i < listings.Count; i++)
        {
            var listing = grains.GetGrain<IListingGrain>(listings[i]);
            var orders = await listing.GetOrders(null);
            var view = await listing.Get();
            Assert.Equal(s_stock[i], orders.Sum(o => o.Quantity) + view!.Remaining);
            Assert.Equal(acknowledged.Where(a => a.Order.ListingId == listings[i]).Select(a => a.Order.OrderId).Order(), orders.Select(o => o.OrderId).Order());
        }

        Assert.Equal(0, (await grains.GetGrain<IListingGrain>(listings[^1]).Get())!.Remaining);
        Assert.Equal(acknowledged.Count, acknowledged.Select(a => (a.Buyer, a.Key)).Distinct().Count());
        foreach (var group in acknowledged.GroupBy(a => a.Buyer))
        {
            Assert.Equal(group.Select(a => a.Order.OrderId).Order(), (await grains.GetGrain<IAccountGrain>(group.Key).GetOrders()).Select(o => o.OrderId).Order());
        }

        // A stopped silo's activations deactivated while it stopped; what the ledger still holds of it was never live elsewhere.
        async Task StopAsync(InProcessSiloHandle silo)
        {
            await cluster.StopSiloAsync(silo);
            ledger.Forget(silo.SiloAddress);
        }

        // A killed process runs nothing: its activations end with it.
        Task KillAsync(InProcessSiloHandle silo)
        {
            ledger.Forget(silo.SiloAddress);
            return cluster.KillSiloAsync(silo);
        }

        // The silo holding the most live listing activations (a silo that holds none disturbs no listing).
        InProcessSiloHandle Busiest() => cluster.GetActiveSilos()
            .MaxBy(s => listings.Count(l => ledger.LiveOn(GrainId.Create("listing", l)).Contains(s.SiloAddress)))!;

        async Task StepAsync(string what, Func<Task> step)
        {
            await step();
            timeline.Mark($"{what}; {cluster.GetActiveSilos().Count()} silos; listings live on " +
                string.Join(", ", listings.Select(l => ledger.LiveOn(GrainId.Create("listing", l)) is [var silo] ? $":{silo.Endpoint.Port}" : "-")));
            await ProgressAsync($"purchases are acknowledged after {what}");
        }

        // Every step is followed by purchases of every listing that never sells out: the churn happens under load.
        async Task ProgressAsync(string what)
        {
            var before = load.CountsByListing();
            await Eventually.WaitUntilAsync(() =>
            {
                load.AssertRunning();
                var now = load.CountsByListing();
                return listings.Take(3).All(l => now.GetValueOrDefault(l) >= before.GetValueOrDefault(l) + PurchasesPerStep);
            }, what, TimeSpan.FromSeconds(45));
        }
    }
}
