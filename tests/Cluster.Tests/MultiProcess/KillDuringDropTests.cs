using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using FleaMarket.Cluster.Tests.Engines;
using Xunit.Abstractions;

namespace FleaMarket.Cluster.Tests.MultiProcess;

/// <summary>
/// kill -9 of the silo holding a listing in the middle of its drop: buyers retry 503s and transport errors with
/// the same Idempotency-Key, as api.md tells clients to. Afterwards nothing acknowledged is missing, nothing was
/// sold that nobody was told about, stock adds up and no key bought twice.
/// </summary>
[Collection(EnginesCollection.Name)]
public sealed class KillDuringDropTests(EngineServersFixture engines, ITestOutputHelper output)
{
    /// <summary>Enough that the kill lands early in the drop however fast the machine sells (~1000 units/s when idle).</summary>
    private const int Stock = 600;
    private const int Buyers = 24;

    [Fact]
    public async Task Purchase_SiloHoldingListingKilledMidDrop_LosesNothingAcknowledgedAndNeverOversells()
    {
        await using var cluster = ProcessCluster.Create(engines.Redis.Endpoint, await engines.Postgres.CreateDatabaseAsync("drop"));
        await cluster.RunShowingLogsOnFailureAsync(RunAsync, output);
    }

    private async Task RunAsync(ProcessCluster cluster)
    {
        var timeline = new Timeline(output);
        await cluster.StartAsync(silos: 2);
        using var api = new ApiClient(cluster.ApiAddress);
        var run = Guid.NewGuid().ToString("N")[..8];
        var seller = await Shop.SignUpAsync(api, $"seller-{run}");
        var market = await Shop.OpenMarketAsync(api, seller, "Drop");
        var listing = await Shop.AddListingAsync(api, seller, market, "Limited sneaker", Stock);
        var buyers = await Task.WhenAll(Enumerable.Range(0, Buyers).Select(i => Shop.SignUpAsync(api, $"buyer{i}-{run}")));
        var holder = await cluster.Observer.SiloOfAsync("listing", listing);
        var victim = cluster.Silos.Single(s => s.Name == holder);

        // Every buyer buys one unit after another, each purchase under a key of its own, until sold out.
        var acknowledged = new ConcurrentQueue<(Shopper Buyer, Acknowledged Order)>();
        var counts = new RetryCounts();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        timeline.Mark($"{Buyers} buyers start buying from a listing of {Stock} on {victim.Name}");
        var drop = Task.WhenAll(buyers.Select(buyer => Task.Run(async () =>
        {
            for (var n = 0; ; n++)
            {
                var order = await Shop.BuyUntilAnsweredAsync(api, buyer, listing, 1, $"{buyer.UserId}-{n}", TimeSpan.FromSeconds(10), deadline, counts);
                if (order is null) return;
                acknowledged.Enqueue((buyer, order));
            }
        })));

        // Kill the listing's silo once the drop is under way, with most of the stock still to sell.
        await cluster.WaitAsync(() => Task.FromResult(acknowledged.Count >= Stock / 10 || drop.IsCompleted), "a tenth of the stock is sold", TimeSpan.FromSeconds(60));
        var killedAt = Stopwatch.StartNew();
        await cluster.KillAsync(victim);
        // The process is gone: whatever is acknowledged from an attempt sent from now on was served by a new activation.
        var goneAt = DateTime.UtcNow;
        var beforeKill = acknowledged.Count;
        Assert.True(beforeKill < Stock / 2, $"{beforeKill} of {Stock} units were sold before the kill took effect: the kill did not land mid-drop");
        await drop;
        var resumed = acknowledged.Where(a => a.Order.AttemptStartedAt > goneAt).Min(a => a.Order.AnsweredAt) - goneAt;
        timeline.Mark($"{beforeKill} orders acknowledged before kill -9 of {victim.Name}, {acknowledged.Count - beforeKill} after; " +
            $"first acknowledgement of a purchase sent after the kill: {resumed.TotalSeconds:F1} s after it; buyers saw {counts}; " +
            $"the drop sold out {killedAt.Elapsed.TotalSeconds:F1} s after the kill");

        // Sold out, and every unit sold is an acknowledged order: sold + remaining == stock, nothing more.
        var orders = await Shop.MarketOrdersAsync(api, seller, market, TimeSpan.FromSeconds(30));
        var sold = orders.EnumerateArray().Sum(o => o.GetProperty("quantity").GetInt32());
        var remaining = await Shop.RemainingAsync(api, listing, TimeSpan.FromSeconds(30));
        Assert.Equal(Stock, sold + remaining);
        Assert.Equal(0, remaining);
        Assert.Equal(acknowledged.Select(a => a.Order.OrderId).Order(), Shop.OrderIds(orders).Order());

        // No key bought twice: every key answers with its one order, and every buyer sees exactly theirs.
        Assert.Equal(acknowledged.Count, acknowledged.Select(a => (a.Buyer.UserId, a.Order.Key)).Distinct().Count());
        await Task.WhenAll(buyers.Select(async buyer =>
        {
            foreach (var order in acknowledged.Where(a => a.Buyer == buyer).Select(a => a.Order))
            {
                var replay = await api.SendAsync(HttpMethod.Post, $"/api/listings/{listing}/purchases", new { quantity = 1 }, HttpStatusCode.OK,
                    buyer.Token, order.Key, TimeSpan.FromSeconds(30));
                Assert.Equal(order.OrderId, replay.GetProperty("orderId").GetString());
            }
        }));

        timeline.Mark("sold + remaining == stock, every acknowledged order there and nothing else, every key replays its order");
        foreach (var buyer in buyers)
        {
            var mine = acknowledged.Where(a => a.Buyer == buyer).Select(a => a.Order.OrderId).Order().ToList();
            var listed = (await Shop.MyOrderIdsAsync(api, buyer, TimeSpan.FromSeconds(30))).Order().ToList();
            Assert.True(mine.SequenceEqual(listed), $"{buyer.Username}'s orders: {mine.Count} acknowledged, {listed.Count} listed; " +
                $"missing {string.Join(", ", mine.Except(listed))}; not acknowledged {string.Join(", ", listed.Except(mine))}");
        }
    }
}
