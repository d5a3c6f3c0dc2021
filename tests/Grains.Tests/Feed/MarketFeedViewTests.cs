using FleaMarket.Grains.Feed;

namespace FleaMarket.Grains.Tests.Feed;

/// <summary>The hub's view of a market: reports applied by version, never backwards.</summary>
public sealed class MarketFeedViewTests
{
    private static readonly MarketView s_market = new("m_1", "u_1", "Drop", null, DateTimeOffset.UnixEpoch, null, MarketStatus.Open);

    [Fact]
    public void Apply_OlderVersionAfterNewer_IsDropped()
    {
        var view = Loaded();

        Assert.Equal(StockChange.Changed, view.Apply(new ListingStock("l_a", 4, ListingStatus.OnSale, 6)));
        Assert.Equal(StockChange.None, view.Apply(new ListingStock("l_a", 7, ListingStatus.OnSale, 3)));

        Assert.Equal(4, view.StockOf("l_a").Remaining);
        Assert.Equal(6, view.StockOf("l_a").Version);
    }

    [Fact]
    public void Apply_SameVersionAgain_TakesIt()
    {
        // A flush that failed gives reserved units back without a new journal entry: same version, more stock.
        var view = Loaded();
        view.Apply(new ListingStock("l_a", 4, ListingStatus.OnSale, 6));

        Assert.Equal(StockChange.Changed, view.Apply(new ListingStock("l_a", 5, ListingStatus.OnSale, 6)));

        Assert.Equal(5, view.StockOf("l_a").Remaining);
    }

    [Fact]
    public void Apply_UnknownListing_SaysSoAndChangesNothing()
    {
        var view = Loaded();

        Assert.Equal(StockChange.UnknownListing, view.Apply(new ListingStock("l_new", 1, ListingStatus.OnSale, 1)));

        Assert.Equal(["l_a"], view.ToDetails().Listings.Select(l => l.ListingId));
    }

    [Fact]
    public void ToDetails_AfterApply_IsACopyThatDoesNotChangeLater()
    {
        var view = Loaded();
        var before = view.ToDetails();

        view.Apply(new ListingStock("l_a", 0, ListingStatus.SoldOut, 9));

        Assert.Equal(10, before.Listings[0].Remaining);
        Assert.Equal(ListingStatus.SoldOut, view.ToDetails().Listings[0].Status);
    }

    private static MarketFeedView Loaded()
    {
        var view = new MarketFeedView();
        view.Load(new MarketDetails(s_market, [new ListingView("l_a", "m_1", "Lamp", null, 1500, 10, 10, null, ListingStatus.OnSale)]));
        return view;
    }
}
