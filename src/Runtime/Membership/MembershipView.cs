using System.Collections.Immutable;

namespace FleaMarket.Runtime.Membership;

/// <summary>
/// A silo's (or client's) picture of the cluster at one table version. Grain ownership is a pure
/// function of a view's Active silos, so two processes with the same version agree on every owner.
/// </summary>
public sealed class MembershipView
{
    public MembershipView(MembershipSnapshot snapshot)
    {
        Snapshot = snapshot;
        ActiveSilos = [.. snapshot.Entries.Where(e => e.Status == SiloStatus.Active).Select(e => e.Silo).Order()];
        ActiveSiloHashes = [.. ActiveSilos.Select(Placement.GrainOwnership.SiloHash)];
    }

    /// <summary>A view with no silos, before the first table read.</summary>
    public static MembershipView Empty { get; } = new(MembershipSnapshot.Empty);

    /// <summary>The table snapshot this view was built from.</summary>
    public MembershipSnapshot Snapshot { get; }

    /// <summary>The table version.</summary>
    public long Version => Snapshot.Version;

    /// <summary>Active silos in a fixed order.</summary>
    public ImmutableArray<SiloAddress> ActiveSilos { get; }

    /// <summary>Placement hashes of <see cref="ActiveSilos"/>, same order.</summary>
    internal ulong[] ActiveSiloHashes { get; }

    /// <summary>Status of <paramref name="silo"/> in this view (None if it has no row).</summary>
    public SiloStatus GetStatus(SiloAddress silo) => Snapshot.Find(silo)?.Status ?? SiloStatus.None;

    /// <summary>Silos that may hold activations: Active and ShuttingDown ones.</summary>
    public IEnumerable<SiloAddress> SilosHoldingGrains =>
        Snapshot.Entries.Where(e => e.Status is SiloStatus.Active or SiloStatus.ShuttingDown).Select(e => e.Silo);
}
