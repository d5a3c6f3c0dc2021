using FleaMarket.Grains.Listings;
using FleaMarket.Persistence.Journals;

namespace FleaMarket.Grains.Users;

/// <summary>
/// A user by id: profile, the markets they sell in, and the buyer's orders across listings. Purchases do not
/// pass through here: the API asks the listing, whose journal append tags the listing's stream with each buyer
/// whose first order there it holds, in the order's own transaction; the history finds its listings by that tag,
/// so no acknowledged order can be missing from it.
/// </summary>
/// <remarks>
/// Accounts written before the tags kept the listings bought from in a journal of their own
/// (<see cref="PurchaseListingsJournal"/>); it is still read on activation and merged with the tagged listings.
/// <para>
/// A read that finds nothing stored for its id (no account and no purchase history) lets the activation go
/// as soon as it returns: anyone can ask for well-formed random user ids, and an activation kept for the idle
/// age per id would be memory a stranger fills at will.
/// </para>
/// </remarks>
public sealed class AccountGrain(
    [PersistentState("account")] IPersistentState<AccountState> state,
    IJournalStorage journal) : Grain, IAccountGrain
{
    internal const string PurchaseListingsJournal = "purchase-listings";
    private const int ReplayPage = 1000;
    private readonly List<string> _purchaseListings = [];
    private long _journalLength;

    private string UserId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        long position = 0;
        while (true)
        {
            var page = await journal.ReadAsync<PurchaseListingRecorded>(PurchaseListingsJournal, UserId, position, ReplayPage, cancellationToken);
            foreach (var entry in page) Apply(entry.Event);
            _journalLength = page.Count > 0 ? page[^1].Position : _journalLength;
            if (page.Count < ReplayPage) break;
            position = page[^1].Position;
        }
    }

    public async Task Initialize(UserProfile profile)
    {
        if (state.State.Profile == profile) return;
        if (state.State.Profile is not null) throw new InvalidOperationException($"Account {profile.UserId} already exists.");
        state.State.Profile = profile;
        await state.WriteStateAsync();
    }

    public Task<UserProfile?> GetProfile()
    {
        LetGoIfUnknown();
        return Task.FromResult(state.State.Profile);
    }

    public async Task AddMarket(string marketId)
    {
        if (state.State.Markets.Contains(marketId)) return;
        state.State.Markets.Add(marketId);
        await state.WriteStateAsync();
    }

    public Task<string[]> GetMarkets()
    {
        LetGoIfUnknown();
        return Task.FromResult(state.State.Markets.ToArray());
    }

    public async Task<Order[]> GetOrders()
    {
        var perListing = await Task.WhenAll((await PurchaseListingsAsync()).Select(id => GrainFactory.Reference<IListingGrain>(id).GetOrders(UserId)));
        return [.. perListing.SelectMany(o => o).OrderByDescending(o => o.CreatedAt)];
    }

    public async Task<Order[]> GetOrderPage(OrderPage page)
    {
        var perListing = await Task.WhenAll((await PurchaseListingsAsync()).Select(id => GrainFactory.Reference<IListingGrain>(id).GetOrderPage(UserId, page)));
        return OrderPages.Merge(perListing, page.Limit);
    }

    /// <summary>The listings this buyer has orders on: tagged by the listings' own appends, plus those recorded before the tags.</summary>
    private async Task<IEnumerable<string>> PurchaseListingsAsync()
    {
        var tagged = await journal.FindStreamsAsync(ListingGrain.JournalName, UserId);
        if (tagged.Count == 0) LetGoIfUnknown();
        return _purchaseListings.Count == 0 ? tagged : tagged.Union(_purchaseListings, StringComparer.Ordinal);
    }

    /// <summary>
    /// Deactivates after this call when nothing is stored for this id. An Initialize queued behind the read is
    /// forwarded to the next activation, which reads what it stored.
    /// </summary>
    private void LetGoIfUnknown()
    {
        if (!state.RecordExists && _journalLength == 0) DeactivateOnIdle();
    }

    private void Apply(PurchaseListingRecorded recorded)
    {
        if (recorded.Removed) _purchaseListings.Remove(recorded.ListingId);
        else if (!_purchaseListings.Contains(recorded.ListingId)) _purchaseListings.Add(recorded.ListingId);
    }
}

/// <summary>The stored state of an account grain (the listings bought from are in the journal).</summary>
[GenerateSerializer, Alias("FleaMarket.AccountState")]
public sealed class AccountState
{
    [Id(0)]
    public UserProfile? Profile { get; set; }

    [Id(1)]
    public List<string> Markets { get; set; } = [];
}

/// <summary>One event of a buyer's purchase-listings journal (System.Text.Json), written before the listings' tags: a listing recorded before a purchase, or dropped.</summary>
public sealed record PurchaseListingRecorded(string ListingId, bool Removed = false);
