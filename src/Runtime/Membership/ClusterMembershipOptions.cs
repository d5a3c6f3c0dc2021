namespace FleaMarket.Runtime.Membership;

/// <summary>
/// Timing and thresholds of the membership protocol. Defaults follow Orleans: a silo that stops
/// answering is declared dead after about <see cref="ProbeTimeout"/> × <see cref="NumMissedProbesLimit"/> (15 s).
/// </summary>
public sealed class ClusterMembershipOptions
{
    /// <summary>Configuration section the options bind from.</summary>
    public const string SectionName = "Membership";

    /// <summary>How long a probe may take before it counts as missed; also the probe period. Default 5 s.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Consecutive missed probes after which a silo votes its target dead. Default 3.</summary>
    public int NumMissedProbesLimit { get; set; } = 3;

    /// <summary>
    /// Fresh votes that declare a silo dead. Default 2. Capped at (Active silos + 1) / 2, so a
    /// two-silo cluster can declare its dead peer with one vote.
    /// </summary>
    public int NumVotesForDeathDeclaration { get; set; } = 2;

    /// <summary>How many other Active silos each silo probes (the next ones after it on the sorted ring). Default 3.</summary>
    public int NumProbedSilos { get; set; } = 3;

    /// <summary>How often a silo writes its I-am-alive time to the table. Default 5 s.</summary>
    public TimeSpan IAmAlivePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a silo reads the table even without being told it changed. Default 5 s.</summary>
    public TimeSpan TableRefreshPeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Age after which a suspect vote no longer counts. Default 2 min.</summary>
    public TimeSpan DeathVoteExpiration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Age after which rows of silos that are not Active are removed from the table. Default 1 day.</summary>
    public TimeSpan DefunctSiloExpiration { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// How long a joining silo waits until every Active silo answered a probe or was declared dead
    /// before it gives up. Default 60 s.
    /// </summary>
    public TimeSpan JoinTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first setting that is out of range.</summary>
    public void Validate()
    {
        RequirePositive(ProbeTimeout, nameof(ProbeTimeout));
        RequirePositive(IAmAlivePeriod, nameof(IAmAlivePeriod));
        RequirePositive(TableRefreshPeriod, nameof(TableRefreshPeriod));
        RequirePositive(DeathVoteExpiration, nameof(DeathVoteExpiration));
        RequirePositive(DefunctSiloExpiration, nameof(DefunctSiloExpiration));
        RequirePositive(JoinTimeout, nameof(JoinTimeout));
        RequireAtLeastOne(NumMissedProbesLimit, nameof(NumMissedProbesLimit));
        RequireAtLeastOne(NumVotesForDeathDeclaration, nameof(NumVotesForDeathDeclaration));
        RequireAtLeastOne(NumProbedSilos, nameof(NumProbedSilos));

        // Votes are cast one probe period apart at best; shorter-lived votes could never add up.
        if (DeathVoteExpiration <= ProbeTimeout)
        {
            throw new ArgumentOutOfRangeException(
                nameof(DeathVoteExpiration),
                DeathVoteExpiration,
                $"{nameof(ClusterMembershipOptions)}.{nameof(DeathVoteExpiration)} must be longer than {nameof(ProbeTimeout)} ({ProbeTimeout}).");
        }
    }

    private static void RequirePositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{nameof(ClusterMembershipOptions)}.{name} must be greater than zero.");
        }
    }

    private static void RequireAtLeastOne(int value, string name)
    {
        if (value < 1)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{nameof(ClusterMembershipOptions)}.{name} must be at least 1.");
        }
    }
}
