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
        var hashes = new ulong[activeSilos.Length];
        for (var i = 0; i < hashes.Length; i++) hashes[i] = SiloHash(activeSilos[i]);
        return activeSilos[Winner(StableHash.Hash64(grain), hashes)];
    }

    /// <summary>The owner in <paramref name="view"/> (silo hashes are computed once per view).</summary>
    public static SiloAddress? OwnerOf(GrainId grain, MembershipView view)
    {
        var silos = view.ActiveSilos;
        return silos.IsEmpty ? null : silos[Winner(StableHash.Hash64(grain), view.ActiveSiloHashes)];
    }

    /// <summary>A silo's fixed contribution to every score; part of the view so routing does not rehash it per call.</summary>
    public static ulong SiloHash(SiloAddress silo) => StableHash.Mix(StableHash.Hash64(silo.ToString()) + 0x9E3779B97F4A7C15UL);

    private static int Winner(ulong grainHash, ulong[] siloHashes)
    {
        var best = 0;
        var bestScore = 0UL;
        for (var i = 0; i < siloHashes.Length; i++)
        {
            var score = StableHash.Mix(grainHash ^ siloHashes[i]);
            if (i == 0 || score > bestScore)
            {
                best = i;
                bestScore = score;
            }
        }

        return best;
    }
}
