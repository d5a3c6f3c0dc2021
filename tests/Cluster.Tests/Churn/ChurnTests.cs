using System.Collections.Concurrent;
using System.Diagnostics;
using FleaMarket.Grains;
using FleaMarket.Persistence;
using FleaMarket.TestKit;
using FleaMarket.TestKit.Orleans;
using Microsoft.AspNetCore.Identity;
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
    /// <summary>Units of each listing: the last sells out during the churn, the others never do.</summary>
    private static readonly int[] s_stock = [1_000_000, 1_000_000, 1_000_000, 2_000];

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
            silo.Services.Configure<PasswordHasherOptions>(o => o.IterationCount = 1000);
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

        // The load: buyers buy one unit at a time from the listings in turn, retrying any failure with the same key.
        var acknowledged = new ConcurrentQueue<(string Buyer, string Key, Order Order)>();
        var failures = new ConcurrentDictionary<string, int>();
        using var stop = new CancellationTokenSource();
        var load = Task.WhenAll(Enumerable.Range(0, Buyers).Select(b => Task.Run(() => BuyAsync($"u_buyer{b}_{Guid.NewGuid():N}", b))));

        async Task BuyAsync(string buyer, int offset)
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var listing = listings[(offset + n) % listings.Count];
                var key = $"k{n}";
                var since = Stopwatch.StartNew();
                while (true)
                {
                    Assert.True(since.Elapsed < TimeSpan.FromSeconds(60), $"{buyer}'s purchase {key} failed for a minute ({string.Join(", ", failures)})");
                    try
                    {
                        var result = await grains.GetGrain<IAccountGrain>(buyer).Purchase(listing, 1, key);
                        if (result.Order is { } order) acknowledged.Enqueue((buyer, key, order));
                        else Assert.Equal(PurchaseError.SoldOut, result.Error);
                        break;
                    }
                    catch (Exception e) when (e is not Xunit.Sdk.XunitException)
                    {
                        failures.AddOrUpdate(e.GetType().Name, 1, (_, count) => count + 1);
                    }
                }
            }
        }

        var clock = Stopwatch.StartNew();
        try
        {
            await ProgressAsync("the load runs");
            await StepAsync("a fourth silo joins", () => cluster.StartAdditionalSiloAsync());
            await StepAsync("the silo holding most listings stops", async () =>
            {
                var silo = Busiest();
                await cluster.StopSiloAsync(silo);
                ledger.Forget(silo.SiloAddress);
            });
            await StepAsync("the silo holding most listings is killed", async () =>
            {
                var silo = Busiest();
                ledger.Forget(silo.SiloAddress);
                await cluster.KillSiloAsync(silo);
            });
            await StepAsync("a silo joins", () => cluster.StartAdditionalSiloAsync());
            await StepAsync("another silo joins", () => cluster.StartAdditionalSiloAsync());
            await StepAsync("the silo holding most listings is killed", async () =>
            {
                var silo = Busiest();
                ledger.Forget(silo.SiloAddress);
                await cluster.KillSiloAsync(silo);
            });
            await StepAsync("the silo holding most listings stops", async () =>
            {
                var silo = Busiest();
                await cluster.StopSiloAsync(silo);
                ledger.Forget(silo.SiloAddress);
            });
        }
        finally
        {
            await stop.CancelAsync();
        }

        await load;
        output.WriteLine($"{acknowledged.Count} purchases acknowledged in {clock.Elapsed.TotalSeconds:F1} s; failures retried: {string.Join(", ", failures)}; " +
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

        // The silo holding the most live listing activations (a silo that holds none disturbs no listing).
        InProcessSiloHandle Busiest() => cluster.GetActiveSilos()
            .MaxBy(s => listings.Count(l => ledger.LiveOn(GrainId.Create("listing", l)).Contains(s.SiloAddress)))!;

        async Task StepAsync(string what, Func<Task> step)
        {
            var at = clock.Elapsed;
            await step();
            output.WriteLine($"{at.TotalSeconds,5:F1} s: {what}; {cluster.GetActiveSilos().Count()} silos, listings on " +
                string.Join(", ", listings.Select(l => ledger.LiveOn(GrainId.Create("listing", l)) is [var silo] ? silo.Endpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) : "-")));
            await ProgressAsync($"purchases are acknowledged after {what}");
        }

        // Every step is followed by purchases of every listing still on sale: the churn happens under load.
        async Task ProgressAsync(string what)
        {
            var before = acknowledged.ToArray().GroupBy(a => a.Order.ListingId).ToDictionary(g => g.Key, g => g.Count());
            await Eventually.WaitUntilAsync(() =>
            {
                Assert.False(load.IsCompleted, $"the load stopped: {load.Exception}");
                var now = acknowledged.ToArray().GroupBy(a => a.Order.ListingId).ToDictionary(g => g.Key, g => g.Count());
                return listings.Take(3).All(l => now.GetValueOrDefault(l) >= before.GetValueOrDefault(l) + PurchasesPerStep);
            }, what, TimeSpan.FromSeconds(45));
        }
    }
}
