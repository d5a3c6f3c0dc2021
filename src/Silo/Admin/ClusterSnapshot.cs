using FleaMarket.Runtime.Diagnostics;
using FleaMarket.Runtime.Membership;
using RuntimeSilo = FleaMarket.Runtime.Hosting.Silo;

namespace FleaMarket.Silo.Admin;

/// <summary>
/// What <c>GET /dashboard/api/cluster</c> returns: every silo's statistics as the serving silo sees them, and the
/// membership views it adopted. Call counts are running totals; the page turns two samples into rates.
/// </summary>
/// <param name="SampledAt">When the serving silo assembled this answer.</param>
/// <param name="SiloAddress">The silo that answered.</param>
/// <param name="ViewVersion">The membership view version it acts on.</param>
/// <param name="Silos">Itself first, then every peer that may hold grains.</param>
/// <param name="Membership">The views it adopted, oldest first.</param>
internal sealed record ClusterSnapshot(
    DateTimeOffset SampledAt,
    string SiloAddress,
    long ViewVersion,
    IReadOnlyList<SiloSnapshot> Silos,
    IReadOnlyList<MembershipChange> Membership)
{
    /// <summary>Asks the silo for its own and its peers' statistics.</summary>
    public static async Task<ClusterSnapshot> CollectAsync(RuntimeSilo silo, TimeProvider time, CancellationToken cancellationToken)
    {
        var statistics = await silo.GetClusterStatisticsAsync(cancellationToken).ConfigureAwait(false);
        return new ClusterSnapshot(
            time.GetUtcNow(), silo.Address.ToString(), silo.View.Version,
            [.. statistics.Select(SiloSnapshot.From)], silo.MembershipHistory);
    }
}

/// <summary>
/// One silo's row of the dashboard: <see cref="SiloStatistics"/> plus its uptime. <c>Error</c> says why a peer's
/// statistics are missing (it did not answer), or is null.
/// </summary>
internal sealed record SiloSnapshot(
    string Address,
    string Name,
    SiloStatus Status,
    DateTimeOffset StartedAt,
    double UptimeSeconds,
    DateTimeOffset SampledAt,
    int Activations,
    IReadOnlyDictionary<string, int> ActivationsByType,
    IReadOnlyList<GrainTypeCalls> Calls,
    IReadOnlyList<HotGrain> HottestGrains,
    string? Error)
{
    internal static SiloSnapshot From(SiloStatistics s) => new(
        s.Address, s.Name, s.Status, s.StartedAt,
        // A silo that has not started yet reports the default start time: no uptime rather than 2,000 years.
        s.StartedAt == default ? 0 : Math.Max(0, Math.Round((s.SampledAt - s.StartedAt).TotalSeconds, 1)),
        s.SampledAt, s.Activations, s.ActivationsByType, s.Calls, s.HottestGrains, s.Error);
}
