using FleaMarket.LoadTest.Api;
using FleaMarket.LoadTest.Drop;
using FleaMarket.LoadTest.Firing;
using FleaMarket.LoadTest.Setup;
using FleaMarket.LoadTest.Verification;

namespace FleaMarket.LoadTest.Tests.Verification;

/// <summary>The checks on hand-made views: each kind of wrong answer from a server fails its own check.</summary>
public sealed class DropChecksTests
{
    private static readonly DropOptions Options = new() { Buyers = 2, Listings = 1, Stock = 2, MaxPerBuyer = 1 };

    [Fact]
    public void Evaluate_ConsistentDrop_PassesEveryCheck()
    {
        var (firing, orders) = Firing(("u_a", "o_1"), ("u_b", "o_2"));

        var result = DropChecks.Evaluate(Options, firing, 0, View(orders, remaining: 0));

        Assert.True(result.Passed, string.Join('\n', result.Checks.Where(c => !c.Passed).Select(c => c.Detail)));
        Assert.Equal(2, result.UnitsSold);
    }

    [Fact]
    public void Evaluate_OneBuyerGotTwo_FailsTheLimitCheck()
    {
        var (firing, orders) = Firing(("u_a", "o_1"), ("u_a", "o_2"));

        var result = DropChecks.Evaluate(Options, firing, 0, View(orders, remaining: 0));

        Assert.Equal(["no-buyer-over-limit"], Failed(result));
    }

    [Fact]
    public void Evaluate_MoreSoldThanStock_FailsOversellStockAndUnitsSold()
    {
        var options = Options with { MaxPerBuyer = null };
        var (firing, orders) = Firing(("u_a", "o_1"), ("u_b", "o_2"), ("u_b", "o_3"));

        var result = DropChecks.Evaluate(options, firing, 0, View(orders, remaining: 0));

        Assert.Equal(["units-sold", "no-oversell", "stock-consistent"], Failed(result));
    }

    [Fact]
    public void Evaluate_AcknowledgedOrderLost_FailsReadabilityAndUnitsSold()
    {
        var (firing, orders) = Firing(("u_a", "o_1"), ("u_b", "o_2"));

        var result = DropChecks.Evaluate(Options, firing, 0, View(orders.Take(1).ToList(), remaining: 1));

        Assert.Equal(["units-sold", "acknowledged-orders-readable"], Failed(result));
    }

    [Fact]
    public void Evaluate_UnexpectedResponsesAndUnknownOrders_FailTheirChecks()
    {
        var (firing, orders) = Firing(("u_a", "o_1"));
        var phantom = Order("u_b", "o_9");

        var result = DropChecks.Evaluate(Options, firing, 3, View([.. orders, phantom], remaining: 0));

        Assert.Equal(["no-unexpected-responses", "no-unknown-orders"], Failed(result));
    }

    private static string[] Failed(VerificationResult result) => [.. result.Checks.Where(c => !c.Passed).Select(c => c.Name)];

    private static (FiringResult Firing, List<OrderBody> Orders) Firing(params (string Buyer, string OrderId)[] acknowledged)
    {
        var buyers = new Dictionary<string, BuyerState>(StringComparer.Ordinal);
        foreach (var buyer in new[] { "u_a", "u_b" }) buyers[buyer] = new BuyerState(new Participant(buyer, buyer, ApiClient.Bearer("t")), 1);
        var orders = acknowledged.Select(a => Order(a.Buyer, a.OrderId)).ToList();
        foreach (var order in orders) buyers[order.BuyerId].Orders.Add(order);
        return (new FiringResult([.. buyers.Values], TimeSpan.FromSeconds(1), "all-buyers-done", TimeSpan.FromSeconds(1)), orders);
    }

    private static ServerView View(List<OrderBody> marketOrders, int remaining) => new(
        marketOrders,
        [new ListingBody("l_1", "m_1", "Item", 500, Options.Stock, remaining, Options.MaxPerBuyer, "on-sale")],
        marketOrders.GroupBy(o => o.BuyerId).ToDictionary(g => g.Key, g => (IReadOnlyList<OrderBody>)[.. g], StringComparer.Ordinal));

    private static OrderBody Order(string buyer, string orderId) => new(orderId, "l_1", "m_1", buyer, 1, 500, 500, DateTimeOffset.UnixEpoch);
}
