using FleaMarket.Runtime;

namespace FleaMarket.Grains;

/// <summary>A registered user as the API shows it.</summary>
public sealed record UserProfile(string UserId, string Username, string DisplayName);

/// <summary>A user by lower-cased username: registration and password checks.</summary>
public interface IUserGrain : IGrainWithStringKey
{
    /// <summary>Registers the user; null if the username is taken. The password is hashed before it is stored.</summary>
    Task<UserProfile?> Register(string username, string password, string displayName);

    /// <summary>The profile if <paramref name="password"/> matches, else null (also for unknown users).</summary>
    Task<UserProfile?> VerifyPassword(string password);
}

/// <summary>A user by user id: profile, markets sold, listings bought from.</summary>
public interface IAccountGrain : IGrainWithStringKey
{
    /// <summary>Creates the account once; repeated calls with the same profile are no-ops.</summary>
    Task Initialize(UserProfile profile);

    /// <summary>The profile, or null if no such user.</summary>
    [ReadOnly]
    Task<UserProfile?> GetProfile();

    /// <summary>Records a market this user sells in.</summary>
    Task AddMarket(string marketId);

    /// <summary>Markets this user sells in, oldest first.</summary>
    [ReadOnly]
    Task<IReadOnlyList<string>> GetMarkets();

    /// <summary>
    /// Records, durably and before the purchase is attempted, that this user may hold orders of a listing, so
    /// every acknowledged order is found by the buyer's order history.
    /// </summary>
    Task TrackPurchaseListing(string listingId);

    /// <summary>Listings this user attempted to buy from.</summary>
    [ReadOnly]
    Task<IReadOnlyList<string>> GetPurchaseListings();
}

/// <summary>A login session, keyed by the SHA-256 of its token (the key never reveals the token).</summary>
public interface ISessionGrain : IGrainWithStringKey
{
    /// <summary>Starts the session; returns its expiry.</summary>
    Task<DateTimeOffset> Start(UserProfile user, TimeSpan slidingExpiry);

    /// <summary>The user if the session is live; slides the expiry. Null if unknown, expired or ended.</summary>
    Task<UserProfile?> Authenticate();

    /// <summary>Ends the session for every API node at once.</summary>
    Task End();
}
