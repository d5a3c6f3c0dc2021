using System.Collections.Immutable;

namespace FleaMarket.Runtime.Membership;

/// <summary>Lifecycle of a silo in the membership table.</summary>
public enum SiloStatus
{
    /// <summary>No row.</summary>
    None = 0,
    /// <summary>Inserted, checking connectivity; owns no grains yet.</summary>
    Joining = 1,
    /// <summary>Serving; owns its share of grains.</summary>
    Active = 2,
    /// <summary>Leaving gracefully: hands its grains off, owns none.</summary>
    ShuttingDown = 3,
    /// <summary>Gone, declared by itself or by its peers' votes. Terminal.</summary>
    Dead = 4,
}

/// <summary>A peer's vote that <see cref="MembershipEntry.Silo"/> stopped answering probes.</summary>
public sealed record SuspectVote(SiloAddress Voter, DateTimeOffset Time);

/// <summary>One silo's row in the membership table.</summary>
public sealed record MembershipEntry(
    SiloAddress Silo,
    SiloStatus Status,
    string SiloName,
    DateTimeOffset StartTime,
    DateTimeOffset IAmAliveTime)
{
    /// <summary>Suspicion votes by peers, oldest first.</summary>
    public ImmutableList<SuspectVote> Suspects { get; init; } = [];
}

/// <summary>The whole table as read at one version.</summary>
public sealed record MembershipSnapshot(long Version, ImmutableArray<MembershipEntry> Entries)
{
    /// <summary>The empty table: version 0, no rows.</summary>
    public static MembershipSnapshot Empty { get; } = new(0, []);

    /// <summary>The row of <paramref name="silo"/>, or null.</summary>
    public MembershipEntry? Find(SiloAddress silo)
    {
        foreach (var entry in Entries)
        {
            if (entry.Silo == silo) return entry;
        }

        return null;
    }
}
