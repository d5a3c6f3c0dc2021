namespace FleaMarket.Grains.Listings;

/// <summary>Pages of orders from several listings, each newest first, merged into one page.</summary>
internal static class OrderPages
{
    public static Order[] Merge(Order[][] pages, int limit) =>
        [.. pages.SelectMany(p => p).Order(Comparer<Order>.Create(OrderIds.CompareNewestFirst)).Take(limit)];
}
