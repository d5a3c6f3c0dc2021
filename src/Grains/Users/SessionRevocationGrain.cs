using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Utilities;

namespace FleaMarket.Grains.Users;

/// <summary>
/// Carries a logout to every API node's session cache. API nodes register an observer and renew it; a revocation is
/// sent to all of them and awaited (briefly), so a logout answered 204 is already refused by every reachable node.
/// </summary>
/// <remarks>
/// Not durable and not needed for correctness beyond that: a node that misses a revocation (its registration lost
/// with this grain's silo, a message lost) still drops the session within its cache's lifetime
/// (<c>Api:SessionCacheDuration</c>, seconds), after which it asks the session grain again. Reentrant: one slow node
/// must not hold up other logouts.
/// </remarks>
[Reentrant]
public sealed partial class SessionRevocationGrain(ILogger<SessionRevocationGrain> logger) : Grain, ISessionRevocationGrain
{
    /// <summary>How long a registration lasts without renewal; API nodes renew far more often.</summary>
    public static readonly TimeSpan RegistrationExpiry = TimeSpan.FromMinutes(2);

    // How long a logout waits for the nodes: longer only when one is hung, and then its cache entry expires anyway.
    private static readonly TimeSpan s_notifyBudget = TimeSpan.FromSeconds(2);

    private readonly ObserverManager<ISessionRevocationObserver> _observers = new(RegistrationExpiry, logger);

    public Task Subscribe(ISessionRevocationObserver observer)
    {
        _observers.Subscribe(observer, observer);
        return Task.CompletedTask;
    }

    public Task Unsubscribe(ISessionRevocationObserver observer)
    {
        _observers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    public async Task Revoke(string sessionKey)
    {
        try
        {
            await _observers.Notify(observer => observer.Revoked(sessionKey)).WaitAsync(s_notifyBudget);
        }
        catch (TimeoutException)
        {
            LogSlowNodes(s_notifyBudget.TotalSeconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A session revocation did not reach every API node within {Seconds} s; their cached entries expire by themselves.")]
    private partial void LogSlowNodes(double seconds);
}
