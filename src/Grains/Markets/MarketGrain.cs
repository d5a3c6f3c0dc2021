using FleaMarket.Runtime;
using FleaMarket.Runtime.Persistence;
using FleaMarket.Runtime.Reminders;
using Microsoft.Extensions.Options;

namespace FleaMarket.Grains.Markets;

/// <summary>
/// A market: seller, times and listings. A durable reminder fires shortly before <c>opensAt</c> and activates
/// every listing, so the crowd's first second pays no activation or replay cost. Status itself is a function
/// of the clock, so the market opens exactly at <c>opensAt</c> whether or not the reminder has fired yet.
/// </summary>
public sealed class MarketGrain(
    [PersistentState("market")] IPersistentState<MarketState> state,
    IOptions<MarketOptions> options,
    TimeProvider time) : Grain, IMarketGrain, IRemindable
{
    internal const string OpeningReminder = "opening";

    public async Task<MarketView> Create(NewMarket market)
    {
        if (state.State.Market is { } existing) return existing with { Status = StatusOf(existing) };
        var view = new MarketView(this.GetPrimaryKeyString(), market.SellerId, market.Title, market.Description,
            market.OpensAt, market.ClosesAt, MarketStatus.Scheduled);
        state.State.Market = view;
        await state.WriteStateAsync();
        var warmAt = market.OpensAt - options.Value.WarmUpLead;
        var due = warmAt - time.GetUtcNow();
        await RegisterOrUpdateReminder(OpeningReminder, due > TimeSpan.Zero ? due : TimeSpan.Zero, options.Value.ReminderPeriod);

        // Last: only a market that is complete shows up in the seller's list.
        await GrainFactory.GetGrain<IAccountGrain>(market.SellerId).AddMarket(view.MarketId);
        return view with { Status = StatusOf(view) };
    }

    public async Task<MarketDetails?> Get()
    {
        if (state.State.Market is not { } market) return null;
        var listings = await Task.WhenAll(state.State.ListingIds.Select(id => GrainFactory.GetGrain<IListingGrain>(id).Get()));
        return new MarketDetails(market with { Status = StatusOf(market) }, [.. listings.OfType<ListingView>()]);
    }

    public async Task<AddListingResult> AddListing(string callerId, NewListing listing)
    {
        if (state.State.Market is not { } market) return new AddListingResult(null, MarketError.NotFound);
        if (market.SellerId != callerId) return new AddListingResult(null, MarketError.Forbidden);
        var listingId = $"l_{Guid.NewGuid():N}";
        var view = await GrainFactory.GetGrain<IListingGrain>(listingId).Initialize(
            new ListingSetup(listingId, market.MarketId, market.SellerId, listing, market.OpensAt, market.ClosesAt));
        state.State.ListingIds.Add(listingId);
        await state.WriteStateAsync();
        return new AddListingResult(view, MarketError.None);
    }

    public async Task<MarketOrders> GetOrders(string callerId)
    {
        if (state.State.Market is not { } market) return new MarketOrders(null, MarketError.NotFound);
        if (market.SellerId != callerId) return new MarketOrders(null, MarketError.Forbidden);
        var perListing = await Task.WhenAll(state.State.ListingIds.Select(id => GrainFactory.GetGrain<IListingGrain>(id).GetOrders(null)));
        return new MarketOrders([.. perListing.SelectMany(o => o).OrderByDescending(o => o.CreatedAt)], MarketError.None);
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != OpeningReminder) return;
        if (state.State.Market is not { } market)
        {
            await UnregisterReminder(reminderName);
            return;
        }

        await Task.WhenAll(state.State.ListingIds.Select(id => GrainFactory.GetGrain<IListingGrain>(id).WarmUp()));
        if (time.GetUtcNow() >= market.OpensAt) await UnregisterReminder(OpeningReminder);
    }

    private string StatusOf(MarketView market)
    {
        var now = time.GetUtcNow();
        if (market.ClosesAt is { } closesAt && now >= closesAt) return MarketStatus.Closed;
        return now < market.OpensAt ? MarketStatus.Scheduled : MarketStatus.Open;
    }
}

public sealed class MarketState
{
    public MarketView? Market { get; set; }

    public List<string> ListingIds { get; set; } = [];
}
