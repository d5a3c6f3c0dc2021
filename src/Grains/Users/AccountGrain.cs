namespace FleaMarket.Grains.Users;

/// <summary>
/// A user by id: profile, the markets they sell in and the listings they bought from. Purchases go through
/// here so the API makes one grain call per purchase and the buyer's history can never miss an order: the
/// listing is recorded (durably) before the listing is asked. Not reentrant, so one buyer's purchases run
/// one at a time and the history's writes never race.
/// </summary>
public sealed class AccountGrain([PersistentState("account")] IPersistentState<AccountState> state) : Grain, IAccountGrain
{
    public async Task Initialize(UserProfile profile)
    {
        if (state.State.Profile == profile) return;
        if (state.State.Profile is not null) throw new InvalidOperationException($"Account {profile.UserId} already exists.");
        state.State.Profile = profile;
        await state.WriteStateAsync();
    }

    public Task<UserProfile?> GetProfile() => Task.FromResult(state.State.Profile);

    public async Task AddMarket(string marketId)
    {
        if (state.State.Markets.Contains(marketId)) return;
        state.State.Markets.Add(marketId);
        await state.WriteStateAsync();
    }

    public Task<string[]> GetMarkets() => Task.FromResult(state.State.Markets.ToArray());

    public async Task<PurchaseResult> Purchase(string listingId, int quantity, string idempotencyKey)
    {
        var newListing = !state.State.PurchaseListings.Contains(listingId);
        if (newListing)
        {
            state.State.PurchaseListings.Add(listingId);
            await state.WriteStateAsync();
        }

        var result = await GrainFactory.GetGrain<IListingGrain>(listingId).Purchase(this.GetPrimaryKeyString(), quantity, idempotencyKey);
        if (newListing && result.Error == PurchaseError.NotFound)
        {
            // No such listing: it holds no order of ours, so the history need not keep it.
            state.State.PurchaseListings.Remove(listingId);
            await state.WriteStateAsync();
        }

        return result;
    }

    public async Task<Order[]> GetOrders()
    {
        var buyerId = this.GetPrimaryKeyString();
        var perListing = await Task.WhenAll(state.State.PurchaseListings.Select(id => GrainFactory.GetGrain<IListingGrain>(id).GetOrders(buyerId)));
        return [.. perListing.SelectMany(o => o).OrderByDescending(o => o.CreatedAt)];
    }
}

/// <summary>The stored state of an account grain.</summary>
[GenerateSerializer, Alias("FleaMarket.AccountState")]
public sealed class AccountState
{
    [Id(0)]
    public UserProfile? Profile { get; set; }

    [Id(1)]
    public List<string> Markets { get; set; } = [];

    /// <summary>Listings this user attempted to buy from (a superset of those holding their orders).</summary>
    [Id(2)]
    public List<string> PurchaseListings { get; set; } = [];
}
