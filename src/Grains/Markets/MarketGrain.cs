using FleaMarket.Grains.Listings;
using Microsoft.Extensions.Options;

namespace FleaMarket.Grains.Markets;

/// <summary>
/// A market: seller, times and listings. A durable reminder fires shortly before <c>opensAt</c> and activates
/// every listing, so the crowd's first second pays no activation or replay cost. Status itself is a function
/// of the clock, so the market opens exactly at <c>opensAt</c> whether or not the reminder has fired yet.
/// </summary>
/// <remarks>
/// A call that finds no market lets the activation go as soon as it returns: anyone can ask for well-formed
/// random market ids, and an activation kept for the idle age per id would be memory a stranger fills at will.
/// </remarks>
public sealed class MarketGrain(
    [PersistentState("market")] IPersistentState<MarketState> state,
    IOptions<MarketOptions> options,
    TimeProvider time) : Grain, IMarketGrain, IRemindable
{
    internal const string OpeningReminder = "opening";

    public async Task<MarketView> Create(NewMarket market)
    {
        if (state.State.Market is { } existing) return View(existing);
        var record = new MarketRecord(this.GetPrimaryKeyString(), market.SellerId, market.Title, market.Description, market.OpensAt, market.ClosesAt);
        state.State.Market = record;
        await state.WriteStateAsync();
        var due = record.OpensAt - options.Value.WarmUpLead - time.GetUtcNow();
        await this.RegisterOrUpdateReminder(OpeningReminder, due > TimeSpan.Zero ? due : TimeSpan.Zero, options.Value.ReminderPeriod);

        // Last: only a market that is complete shows up in the seller's list.
        await GrainFactory.Reference<IAccountGrain>(market.SellerId).AddMarket(record.MarketId);
        return View(record);
    }

    public async Task<MarketDetails?> Get()
    {
        if (Find() is not { } market) return null;
        var listings = await Task.WhenAll(state.State.ListingIds.Select(id => GrainFactory.Reference<IListingGrain>(id).Get()));
        return new MarketDetails(View(market), [.. listings.OfType<ListingView>()]);
    }

    public async Task<AddListingResult> AddListing(string callerId, NewListing listing)
    {
        if (Find() is not { } market) return new AddListingResult(null, MarketError.NotFound);
        if (market.SellerId != callerId) return new AddListingResult(null, MarketError.Forbidden);
        var listingId = $"l_{Guid.NewGuid():N}";
        var view = await GrainFactory.Reference<IListingGrain>(listingId).Initialize(
            new ListingSetup(listingId, market.MarketId, market.SellerId, listing, market.OpensAt, market.ClosesAt));
        state.State.ListingIds.Add(listingId);
        await state.WriteStateAsync();
        GrainFactory.Reference<IMarketFeedGrain>(market.MarketId).MarketChanged().Ignore();
        return new AddListingResult(view, MarketError.None);
    }

    public async Task<MarketOrders> GetOrders(string callerId)
    {
        if (Find() is not { } market) return new MarketOrders(null, MarketError.NotFound);
        if (market.SellerId != callerId) return new MarketOrders(null, MarketError.Forbidden);
        var perListing = await Task.WhenAll(state.State.ListingIds.Select(id => GrainFactory.Reference<IListingGrain>(id).GetOrders(null)));
        return new MarketOrders([.. perListing.SelectMany(o => o).OrderByDescending(o => o.CreatedAt)], MarketError.None);
    }

    public async Task<MarketOrders> GetOrderPage(string callerId, OrderPage page)
    {
        if (Find() is not { } market) return new MarketOrders(null, MarketError.NotFound);
        if (market.SellerId != callerId) return new MarketOrders(null, MarketError.Forbidden);
        var perListing = await Task.WhenAll(state.State.ListingIds.Select(id => GrainFactory.Reference<IListingGrain>(id).GetOrderPage(null, page)));
        return new MarketOrders(OrderPages.Merge(perListing, page.Limit), MarketError.None);
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != OpeningReminder) return;
        if (Find() is { } market)
        {
            await Task.WhenAll(state.State.ListingIds.Select(id => GrainFactory.Reference<IListingGrain>(id).WarmUp()));
            if (time.GetUtcNow() < market.OpensAt) return;
        }

        // Open (or never created): nothing left to warm up.
        if (await this.GetReminder(OpeningReminder) is { } reminder) await this.UnregisterReminder(reminder);
    }

    /// <summary>
    /// The market, or null after asking to deactivate once this call returns. A create queued behind the call
    /// is forwarded to the next activation, which reads what it stored.
    /// </summary>
    private MarketRecord? Find()
    {
        if (state.State.Market is null) DeactivateOnIdle();
        return state.State.Market;
    }

    private MarketView View(MarketRecord market)
    {
        var now = time.GetUtcNow();
        var status = market.ClosesAt is { } closesAt && now >= closesAt ? MarketStatus.Closed
            : now < market.OpensAt ? MarketStatus.Scheduled
            : MarketStatus.Open;
        return new MarketView(market.MarketId, market.SellerId, market.Title, market.Description, market.OpensAt, market.ClosesAt, status);
    }
}
