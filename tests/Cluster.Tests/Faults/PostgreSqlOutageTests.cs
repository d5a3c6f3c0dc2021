using System.Net;
using FleaMarket.TestKit.Engines;
using FleaMarket.Cluster.Tests.MultiProcess;
using Xunit.Abstractions;

namespace FleaMarket.Cluster.Tests.Faults;

/// <summary>
/// PostgreSQL stops under a running multi-process cluster: purchases answer 503 <c>unavailable</c> with Retry-After
/// at once (no hang, no 500); once the server is back the same purchases succeed and every order acknowledged
/// before the outage is still there.
/// </summary>
[Collection(EngineOutageCollection.Name)]
public sealed class PostgreSqlOutageTests(OutageClusterFixture fixture, ITestOutputHelper output)
{
    /// <summary>
    /// What "quickly" means for a 503: a third of Orleans' 30 s response timeout, so a hang fails; measured 0.1-0.6 s
    /// on an idle two-core machine and up to 2.6 s while other builds loaded it.
    /// </summary>
    private static readonly TimeSpan s_quickly = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Purchase_PostgreSqlStoppedThenStarted_Answers503QuicklyThenSucceedsKeepingEveryOrder()
    {
        try
        {
            await RunAsync(fixture.Cluster, fixture.Engines.Postgres);
        }
        catch
        {
            output.WriteLine(fixture.Cluster.Logs());
            throw;
        }
    }

    private async Task RunAsync(ProcessCluster cluster, PostgreSqlServer postgres)
    {
        var timeline = new Timeline(output);
        using var api = new ApiClient(cluster.ApiAddress);
        var run = Guid.NewGuid().ToString("N")[..8];
        var seller = await Shop.SignUpAsync(api, $"seller-{run}");
        var market = await Shop.OpenMarketAsync(api, seller, "Outage");
        var listings = new List<string>();
        for (var i = 0; i < 4; i++) listings.Add(await Shop.AddListingAsync(api, seller, market, $"Item {i}", 50));
        var untouched = await Shop.AddListingAsync(api, seller, market, "Nobody bought this yet", 50);
        var buyers = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Shop.SignUpAsync(api, $"buyer{i}-{run}")));

        // Before: every buyer has bought from every listing, so each purchase during the outage reaches the
        // listing's journal (a first purchase from a listing would fail earlier, on the account's state write).
        var acknowledged = buyers.ToDictionary(b => b.UserId, _ => new List<string>());
        await Task.WhenAll(buyers.Select(async buyer =>
        {
            foreach (var listing in listings)
            {
                var order = await api.SendAsync(HttpMethod.Post, $"/api/listings/{listing}/purchases", new { quantity = 1 },
                    HttpStatusCode.Created, buyer.Token, $"before-{listing}");
                lock (acknowledged) acknowledged[buyer.UserId].Add(order.GetProperty("orderId").GetString()!);
            }
        }));

        timeline.Mark("orders placed; stopping PostgreSQL");
        await postgres.StopAsync();

        // Down: each purchase, on each listing, on both silos, answers 503 unavailable with Retry-After, quickly.
        var slowest = TimeSpan.Zero;
        try
        {
            foreach (var buyer in buyers)
            {
                foreach (var listing in listings)
                {
                    var answer = await api.TrySendAsync(HttpMethod.Post, $"/api/listings/{listing}/purchases", new { quantity = 1 },
                        buyer.Token, $"during-{listing}", timeout: TimeSpan.FromSeconds(40));
                    Assert.True(answer.Status == HttpStatusCode.ServiceUnavailable, $"A purchase with PostgreSQL down answered {(int)answer.Status}: {answer.Body}");
                    Assert.Equal("unavailable", answer.ProblemCode);
                    Assert.NotNull(answer.RetryAfter);
                    Assert.True(answer.Elapsed < s_quickly, $"A purchase with PostgreSQL down took {answer.Elapsed.TotalSeconds:F1} s to answer 503.");
                    if (answer.Elapsed > slowest) slowest = answer.Elapsed;
                }
            }

            // Also what fails in Orleans' own ADO.NET grain storage rather than in the journal: a buyer's first purchase
            // from a listing (the account's history is written first), a sign-up (a new user grain cannot even read its state).
            var firstFromListing = await api.TrySendAsync(HttpMethod.Post, $"/api/listings/{untouched}/purchases", new { quantity = 1 },
                buyers[0].Token, "during-untouched", timeout: TimeSpan.FromSeconds(40));
            var signUp = await api.TrySendAsync(HttpMethod.Post, "/api/users", new { username = $"late-{run}", password = "correct-horse-battery", displayName = "Late" },
                timeout: TimeSpan.FromSeconds(40));
            foreach (var answer in new[] { firstFromListing, signUp })
            {
                Assert.True(answer.Status == HttpStatusCode.ServiceUnavailable, $"A request with PostgreSQL down answered {(int)answer.Status}: {answer.Body}");
                Assert.Equal("unavailable", answer.ProblemCode);
                Assert.True(answer.Elapsed < s_quickly, $"A request with PostgreSQL down took {answer.Elapsed.TotalSeconds:F1} s to answer 503.");
            }
        }
        finally
        {
            // Whatever happened, the collection's other tests need the server.
            await postgres.StartAsync();
        }

        timeline.Mark($"PostgreSQL started again; {buyers.Length * listings.Count + 2} requests while it was down: all 503 unavailable, slowest in {slowest.TotalMilliseconds:F0} ms");

        // Back: the purchases refused during the outage succeed when retried with their keys (201: nothing of them
        // was kept), and so do new ones.
        var retryFor = TimeSpan.FromSeconds(30);
        foreach (var buyer in buyers)
        {
            foreach (var listing in listings)
            {
                var order = await api.SendAsync(HttpMethod.Post, $"/api/listings/{listing}/purchases", new { quantity = 1 },
                    HttpStatusCode.Created, buyer.Token, $"during-{listing}", retryFor);
                acknowledged[buyer.UserId].Add(order.GetProperty("orderId").GetString()!);
            }
        }

        var first = await api.SendAsync(HttpMethod.Post, $"/api/listings/{untouched}/purchases", new { quantity = 1 },
            HttpStatusCode.Created, buyers[0].Token, "during-untouched", retryFor);
        acknowledged[buyers[0].UserId].Add(first.GetProperty("orderId").GetString()!);
        await Shop.SignUpAsync(api, $"late-{run}", retryFor);

        // Every acknowledged order is there, for its buyer and for the seller, and the stock adds up.
        foreach (var buyer in buyers) Assert.Equal(acknowledged[buyer.UserId].Order(), (await Shop.MyOrderIdsAsync(api, buyer, retryFor)).Order());
        var sold = Shop.OrderIds(await Shop.MarketOrdersAsync(api, seller, market, retryFor));
        Assert.Equal(acknowledged.Values.SelectMany(o => o).Order(), sold.Order());
        foreach (var listing in listings) Assert.Equal(50 - 2 * buyers.Length, await Shop.RemainingAsync(api, listing, retryFor));
        timeline.Mark("every order is there");
    }
}
