using FleaMarket.Grains.Listings;
using FleaMarket.Persistence.Journals;
using Orleans.Storage;

namespace FleaMarket.Grains.Users;

/// <summary>
/// A user by id: profile, the markets they sell in and the listings they bought from. Purchases go through
/// here so the API makes one grain call per purchase and the buyer's history can never miss an order: the
/// listing is recorded (durably) before the listing is asked. Not reentrant, so one buyer's purchases run
/// one at a time and the history's writes never race.
/// </summary>
/// <remarks>
/// The listings a buyer bought from are kept in the order journal's engine, not in the grain state: at a drop
/// every buyer's first purchase records a listing, and journal appends of many grains share one transaction
/// (one fsync) where grain-state writes would each pay their own.
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

    public async Task<PurchaseResult> Purchase(string listingId, int quantity, string idempotencyKey)
    {
        var newListing = !_purchaseListings.Contains(listingId);
        if (newListing) await RecordAsync(new PurchaseListingRecorded(listingId));

        var result = await GrainFactory.Reference<IListingGrain>(listingId).Purchase(UserId, quantity, idempotencyKey);
        if (newListing && result.Error == PurchaseError.NotFound)
        {
            // No such listing: it holds no order of ours, so the history need not keep it.
            await RecordAsync(new PurchaseListingRecorded(listingId, Removed: true));
        }

        return result;
    }

    public async Task<Order[]> GetOrders()
    {
        LetGoIfUnknown();
        var perListing = await Task.WhenAll(_purchaseListings.Select(id => GrainFactory.Reference<IListingGrain>(id).GetOrders(UserId)));
        return [.. perListing.SelectMany(o => o).OrderByDescending(o => o.CreatedAt)];
    }

    public async Task<Order[]> GetOrderPage(OrderPage page)
    {
        LetGoIfUnknown();
        var perListing = await Task.WhenAll(_purchaseListings.Select(id => GrainFactory.Reference<IListingGrain>(id).GetOrderPage(UserId, page)));
        return OrderPages.Merge(perListing, page.Limit);
    }

    /// <summary>
    /// Deactivates after this call when nothing is stored for this id. Only reads call it: a purchase records
    /// the listing first, so the account it runs on always holds something. An Initialize or purchase queued behind
    /// the read is forwarded to the next activation, which reads what they stored.
    /// </summary>
    private void LetGoIfUnknown()
    {
        if (!state.RecordExists && _journalLength == 0) DeactivateOnIdle();
    }

    private async Task RecordAsync(PurchaseListingRecorded recorded)
    {
        try
        {
            _journalLength = await journal.AppendAsync(PurchaseListingsJournal, UserId, _journalLength, [recorded]);
        }
        catch (InconsistentStateException)
        {
            // Another activation of this account wrote (a duplicate during a membership change): re-read elsewhere.
            DeactivateOnIdle();
            throw;
        }

        Apply(recorded);
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

/// <summary>One event of a buyer's purchase-listings journal (System.Text.Json): a listing recorded before a purchase, or dropped.</summary>
public sealed record PurchaseListingRecorded(string ListingId, bool Removed = false);
