using FleaMarket.Runtime.Membership;

namespace FleaMarket.Runtime.Activation;

/// <summary>Calls to a peer silo's control endpoint that the catalog needs.</summary>
internal interface ISiloControl
{
    /// <summary>
    /// Completes once <paramref name="peer"/> has adopted view <paramref name="version"/> (or newer) and has
    /// released every grain it no longer owns in it.
    /// </summary>
    Task AwaitViewAsync(SiloAddress peer, long version, CancellationToken cancellationToken);
}
