using Orleans.Concurrency;

namespace FleaMarket.Grains;

/// <summary>A login session, keyed by the SHA-256 of its token (the key never reveals the token).</summary>
[Alias("FleaMarket.ISessionGrain")]
public interface ISessionGrain : IGrainWithStringKey
{
    /// <summary>Starts the session; returns its expiry.</summary>
    [Alias("Start")]
    Task<DateTimeOffset> Start(UserProfile user, TimeSpan slidingExpiry);

    /// <summary>The user if the session is live; slides the expiry. Null if unknown, expired or ended.</summary>
    [Alias("Authenticate")]
    Task<UserProfile?> Authenticate();

    /// <summary>When the live session expires unless used again; null if unknown, expired or ended. Does not slide it.</summary>
    [ReadOnly, Alias("GetExpiry")]
    Task<DateTimeOffset?> GetExpiry();

    /// <summary>Ends the session for every API node at once.</summary>
    [Alias("End")]
    Task End();
}
