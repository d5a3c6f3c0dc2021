using System.Collections.Immutable;
using FleaMarket.Runtime.Hashing;
using FleaMarket.Runtime.Membership;

namespace FleaMarket.Runtime.Placement;

/// <summary>
/// Who owns a grain in a view: rendezvous (highest-random-weight) hashing of the grain id over the
/// view's Active silos. Every process with the same view computes the same owner; when a silo joins,
/// only the grains it now wins move (about 1/N of them), and each silo holds about 1/N of all grains.
/// </summary>
internal static class GrainOwnership
{
    /// <summary>The owner of <paramref name="grain"/> among <paramref name="activeSilos"/>, or null if there are none.</summary>
    public static SiloAddress? OwnerOf(GrainId grain, ImmutableArray<SiloAddress> activeSilos)
    {
        if (activeSilos.IsDefaultOrEmpty) return null;
        var grainHash = StableHash.Hash64(grain);
        SiloAddress? best = null;
        var bestScore = 0UL;
        foreach (var silo in activeSilos)
        {
            var score = StableHash.Mix(grainHash ^ SiloHash(silo));
            if (best is null || score > bestScore)
            {
                best = silo;
                bestScore = score;
            }
        }

        return best;
    }

    /// <summary>The owner in <paramref name="view"/>.</summary>
    public static SiloAddress? OwnerOf(GrainId grain, MembershipView view) => OwnerOf(grain, view.ActiveSilos);

    private static ulong SiloHash(SiloAddress silo) => StableHash.Mix(StableHash.Hash64(silo.ToString()) + 0x9E3779B97F4A7C15UL);
}
