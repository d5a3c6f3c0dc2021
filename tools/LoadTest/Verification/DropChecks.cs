using FleaMarket.LoadTest.Api;
using FleaMarket.LoadTest.Drop;
using FleaMarket.LoadTest.Firing;

namespace FleaMarket.LoadTest.Verification;

/// <summary>
/// Compares what buyers were told (acknowledged orders) with what the API says afterwards. The seller's market
/// orders are the reference: they are what a fulfilment team would ship.
/// </summary>
internal static class DropChecks
{
    public static VerificationResult Evaluate(DropOptions options, FiringResult firing, long unexpectedResponses, ServerView view, IEnumerable<Check>? more = null)
    {
        var market = view.MarketOrders;
        var acknowledged = firing.Buyers.SelectMany(b => b.Orders).GroupBy(o => o.OrderId, StringComparer.Ordinal).Select(g => g.First()).ToList();
        var marketById = market.GroupBy(o => o.OrderId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var soldByListing = market.GroupBy(o => o.ListingId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(o => (long)o.Quantity), StringComparer.Ordinal);
        var totalStock = (long)options.Stock * options.Listings;
        var expected = options.ExpectedUnitsPerListing * options.Listings;
        var sold = market.Sum(o => (long)o.Quantity);
        var unresolved = firing.Buyers.Count(b => b.IsUnresolved);
        var ackIds = acknowledged.Select(o => o.OrderId).ToHashSet(StringComparer.Ordinal);
        var notAcknowledged = market.Count(o => !ackIds.Contains(o.OrderId));

        var checks = new List<Check>
        {
            new("units-sold", sold == expected, $"{sold} units sold, expected {expected} = min(stock, demand) per listing" +
                (firing.EndedBy == "all-buyers-done" ? "." : $"; the firing ended by {firing.EndedBy} before every buyer was done.")),
            Oversell(options, view, soldByListing),
            BuyerLimit(options, view),
            Readable(acknowledged, marketById, view),
            ViewsAgree(view, marketById),
            Stock(options, view, soldByListing),
            new("no-unexpected-responses", unexpectedResponses == 0,
                $"{unexpectedResponses} purchase responses outside the contract's drop outcomes (201/200, 409 sold-out/limit-exceeded/not-open/closed, 429 rate-limited, 503) or transport errors."),
            new("no-unknown-orders", notAcknowledged <= unresolved,
                $"{notAcknowledged} server orders were never acknowledged to a buyer; {unresolved} purchases were left unresolved when the run ended."),
        };
        if (more is not null) checks.AddRange(more);

        return new VerificationResult(totalStock, options.DemandPerBuyerPerListing * options.Buyers * options.Listings, expected, sold,
            acknowledged.Sum(o => (long)o.Quantity), market.Count, acknowledged.Count, notAcknowledged, unresolved,
            view.Listings.Sum(l => (long)l.Remaining), checks);
    }

    private static Check Oversell(DropOptions options, ServerView view, Dictionary<string, long> soldByListing)
    {
        var over = soldByListing.Where(p => p.Value > options.Stock).ToList();
        var listingIds = view.Listings.Select(l => l.ListingId).ToHashSet(StringComparer.Ordinal);
        var foreign = view.MarketOrders.Count(o => !listingIds.Contains(o.ListingId));
        return new("no-oversell", over.Count == 0 && foreign == 0,
            over.Count == 0 && foreign == 0 ? "No listing sold more than its stock." : $"{over.Count} listings sold more than their stock; {foreign} orders for unknown listings.");
    }

    private static Check BuyerLimit(DropOptions options, ServerView view)
    {
        if (options.MaxPerBuyer is not { } max) return new("no-buyer-over-limit", true, "No per-buyer limit was set.");
        var seller = view.MarketOrders.GroupBy(o => (o.BuyerId, o.ListingId)).Count(g => g.Sum(o => o.Quantity) > max);
        var own = view.OrdersByBuyer.Values.SelectMany(orders => orders.GroupBy(o => o.ListingId, StringComparer.Ordinal)).Count(g => g.Sum(o => o.Quantity) > max);
        return new("no-buyer-over-limit", seller == 0 && own == 0,
            $"{seller} (buyer, listing) pairs over the limit of {max} in the seller's orders, {own} in the buyers' own orders.");
    }

    private static Check Readable(List<OrderBody> acknowledged, Dictionary<string, OrderBody> marketById, ServerView view)
    {
        var missingFromMarket = acknowledged.Count(o => !marketById.TryGetValue(o.OrderId, out var m) || !Same(o, m));
        // Keyed by buyer and order, so an order listed under another buyer does not count as readable.
        var buyerSide = view.OrdersByBuyer.SelectMany(p => p.Value.Select(o => (Buyer: p.Key, Order: o)))
            .GroupBy(x => (x.Buyer, x.Order.OrderId)).ToDictionary(g => g.Key, g => g.First().Order);
        var missingFromBuyer = acknowledged.Count(o => !buyerSide.TryGetValue((o.BuyerId, o.OrderId), out var m) || !Same(o, m));
        return new("acknowledged-orders-readable", missingFromMarket == 0 && missingFromBuyer == 0,
            $"{acknowledged.Count} acknowledged orders; {missingFromMarket} missing or different in the market's orders, {missingFromBuyer} in the buyer's /api/me/orders.");
    }

    private static Check ViewsAgree(ServerView view, Dictionary<string, OrderBody> marketById)
    {
        var buyerSide = view.OrdersByBuyer.Values.SelectMany(o => o).ToList();
        var onlyBuyer = buyerSide.Count(o => !marketById.ContainsKey(o.OrderId));
        var buyerIds = buyerSide.Select(o => o.OrderId).ToHashSet(StringComparer.Ordinal);
        var onlySeller = marketById.Keys.Count(id => !buyerIds.Contains(id));
        return new("buyer-and-seller-views-agree", onlyBuyer == 0 && onlySeller == 0,
            $"{onlyBuyer} orders only in a buyer's /api/me/orders, {onlySeller} only in the market's orders.");
    }

    private static Check Stock(DropOptions options, ServerView view, Dictionary<string, long> soldByListing)
    {
        var wrong = view.Listings.Count(l => l.Quantity != options.Stock || l.Remaining < 0
            || l.Remaining != options.Stock - soldByListing.GetValueOrDefault(l.ListingId));
        return new("stock-consistent", wrong == 0, $"{wrong} of {view.Listings.Count} listings whose remaining stock is not quantity minus units sold.");
    }

    private static bool Same(OrderBody a, OrderBody b) =>
        a.OrderId == b.OrderId && a.ListingId == b.ListingId && a.BuyerId == b.BuyerId && a.Quantity == b.Quantity;
}
