namespace FleaMarket.Runtime.Membership;

/// <summary>How the membership protocol talks to other silos (implemented over the silo transport).</summary>
internal interface IMembershipPeers
{
    /// <summary>
    /// Pings <paramref name="target"/>; true if it answered within <paramref name="timeout"/>.
    /// A silo answers a probe only while it considers itself alive with the generation probed.
    /// </summary>
    Task<bool> ProbeAsync(SiloAddress target, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Tells peers (one-way, best effort) that the table moved to <paramref name="version"/> so they read it now.</summary>
    void NotifyTableChanged(IEnumerable<SiloAddress> peers, long version);
}
