namespace FleaMarket.Grains;

/// <summary>An API node's cache of live sessions: told when a session ends so it stops accepting its token at once.</summary>
[Alias("FleaMarket.ISessionRevocationObserver")]
public interface ISessionRevocationObserver : IGrainObserver
{
    /// <summary>The session with this key ended: forget it.</summary>
    [Alias("Revoked")]
    Task Revoked(string sessionKey);
}

/// <summary>
/// The one hub (key <see cref="ClusterKey"/>) through which an ended session reaches every API node's session cache.
/// </summary>
[Alias("FleaMarket.ISessionRevocationGrain")]
public interface ISessionRevocationGrain : IGrainWithStringKey
{
    /// <summary>The key of the cluster's hub.</summary>
    public const string ClusterKey = "cluster";

    /// <summary>Registers (or renews) an API node's cache; registrations expire unless renewed.</summary>
    [Alias("Subscribe")]
    Task Subscribe(ISessionRevocationObserver observer);

    /// <summary>Removes an API node's cache (the node is stopping).</summary>
    [Alias("Unsubscribe")]
    Task Unsubscribe(ISessionRevocationObserver observer);

    /// <summary>Tells every registered cache that the session ended; returns once they answered or a short wait passed.</summary>
    [Alias("Revoke")]
    Task Revoke(string sessionKey);
}
