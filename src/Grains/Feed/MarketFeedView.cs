namespace FleaMarket.Grains.Feed;

/// <summary>What applying a listing's report did to a <see cref="MarketFeedView"/>.</summary>
internal enum StockChange
{
    /// <summary>Stale (an older version than one already applied) or the same stock and status as shown.</summary>
    None,
    Changed,
    UnknownListing,
}

/// <summary>
/// The market as a feed hub shows it: loaded from the market grain, then kept current by the listings' reports.
/// Snapshots are copies, so what was sent never changes under a receiver on the same silo.
/// </summary>
internal sealed class MarketFeedView
{
    private readonly List<ListingView> _listings = [];
    private readonly Dictionary<string, int> _indexById = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _versions = new(StringComparer.Ordinal);
    private MarketView? _market;

    public bool IsLoaded => _market is not null;

    public MarketView Market => _market ?? throw new InvalidOperationException("No market loaded.");

    public void Load(MarketDetails details)
    {
        _market = details.Market;
        _listings.Clear();
        _indexById.Clear();
        foreach (var listing in details.Listings)
        {
            _indexById[listing.ListingId] = _listings.Count;
            _listings.Add(listing);
        }

        // Versions seen stay: a report older than one already applied is still older after a reload.
    }

    public void Clear()
    {
        _market = null;
        _listings.Clear();
        _indexById.Clear();
        _versions.Clear();
    }

    public StockChange Apply(ListingStock stock)
    {
        if (_versions.TryGetValue(stock.ListingId, out var seen) && stock.Version < seen) return StockChange.None;
        if (!_indexById.TryGetValue(stock.ListingId, out var index)) return StockChange.UnknownListing;
        _versions[stock.ListingId] = stock.Version;
        var listing = _listings[index];
        if (listing.Remaining == stock.Remaining && listing.Status == stock.Status) return StockChange.None;
        _listings[index] = listing with { Remaining = stock.Remaining, Status = stock.Status };
        return StockChange.Changed;
    }

    public ListingStock StockOf(string listingId)
    {
        var listing = _listings[_indexById[listingId]];
        return new ListingStock(listingId, listing.Remaining, listing.Status, _versions.GetValueOrDefault(listingId));
    }

    public MarketDetails ToDetails() => new(Market, [.. _listings]);
}
