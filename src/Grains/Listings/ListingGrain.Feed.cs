namespace FleaMarket.Grains.Listings;

/// <summary>The listing's side of the live sales feed: its stock, reported to the market's feed hub after each flush.</summary>
public sealed partial class ListingGrain
{
    /// <summary>
    /// Reports the stock as GET shows it now to the market's <see cref="IMarketFeedGrain"/>. The call is one-way:
    /// the flush loop never waits for the feed, whatever its readers do. The journal length orders the reports.
    /// </summary>
    private void ReportStock()
    {
        if (definition.State.Setup is not { } setup) return;
        var view = View();
        GrainFactory.Reference<IMarketFeedGrain>(setup.MarketId)
            .ListingChanged(new ListingStock(view.ListingId, view.Remaining, view.Status, _book.JournalLength))
            .Ignore();
    }
}
