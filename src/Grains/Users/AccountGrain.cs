using FleaMarket.Runtime;
using FleaMarket.Runtime.Persistence;

namespace FleaMarket.Grains.Users;

/// <summary>A user by id: profile, the markets they sell in and the listings they bought from.</summary>
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

    public Task<IReadOnlyList<string>> GetMarkets() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Markets]);

    public async Task TrackPurchaseListing(string listingId)
    {
        if (state.State.PurchaseListings.Contains(listingId)) return;
        state.State.PurchaseListings.Add(listingId);
        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<string>> GetPurchaseListings() => Task.FromResult<IReadOnlyList<string>>([.. state.State.PurchaseListings]);
}

public sealed class AccountState
{
    public UserProfile? Profile { get; set; }

    public List<string> Markets { get; set; } = [];

    public List<string> PurchaseListings { get; set; } = [];
}
