using FleaMarket.Runtime.Membership;

namespace FleaMarket.Runtime.Diagnostics;

/// <summary>Calls served for one grain type since the silo started: totals, so two samples give rates.</summary>
public sealed record GrainTypeCalls(string GrainType, long Calls, long Failures, double TotalLatencyMs);

/// <summary>A busy activation: its id and the requests it has completed.</summary>
public sealed record HotGrain(string GrainId, long Calls);

/// <summary>What one silo reports about itself to the dashboard.</summary>
public sealed record SiloStatistics(
    string Address,
    string Name,
    SiloStatus Status,
    DateTimeOffset StartedAt,
    DateTimeOffset SampledAt,
    long ViewVersion,
    int Activations,
    IReadOnlyDictionary<string, int> ActivationsByType,
    IReadOnlyList<GrainTypeCalls> Calls,
    IReadOnlyList<HotGrain> HottestGrains,
    string? Error = null);

/// <summary>A membership view a silo adopted: when, its version and the silos in it with their status.</summary>
public sealed record MembershipChange(DateTimeOffset At, long Version, IReadOnlyDictionary<string, SiloStatus> Silos);
