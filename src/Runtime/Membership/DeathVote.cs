namespace FleaMarket.Runtime.Membership;

/// <summary>What one suspicion does to a row: the row to write (or none), and the vote count.</summary>
internal readonly record struct DeathVote(MembershipEntry? RowToWrite, int FreshVotes, int VotesNeeded)
{
    /// <summary>True if <see cref="RowToWrite"/> declares the silo Dead.</summary>
    public bool DeclaresDead => RowToWrite?.Status == SiloStatus.Dead;

    /// <summary>
    /// Adds <paramref name="voter"/>'s vote against <paramref name="suspect"/> as read in <paramref name="snapshot"/>:
    /// expired votes and the voter's earlier vote are dropped; if the fresh votes reach
    /// min(NumVotesForDeathDeclaration, (Active silos + 1) / 2) the row becomes Dead. Returns no row to
    /// write if the voter's own vote is still fresh and adding it again would change nothing.
    /// </summary>
    public static DeathVote Cast(
        MembershipSnapshot snapshot,
        MembershipEntry suspect,
        SiloAddress voter,
        DateTimeOffset now,
        ClusterMembershipOptions options)
    {
        var fresh = suspect.Suspects.Where(v => now - v.Time < options.DeathVoteExpiration).ToList();
        var others = fresh.Where(v => v.Voter != voter).ToList();
        var votes = others.Count + 1;
        var activeSilos = snapshot.Entries.Count(e => e.Status == SiloStatus.Active);
        var needed = Math.Max(1, Math.Min(options.NumVotesForDeathDeclaration, (activeSilos + 1) / 2));

        if (votes >= needed)
        {
            return new(suspect with { Status = SiloStatus.Dead, Suspects = [.. others, new SuspectVote(voter, now)] }, votes, needed);
        }

        // Re-voting only refreshes the time; do it once the vote has lived half its life, not every round.
        var own = fresh.FirstOrDefault(v => v.Voter == voter);
        if (own is not null && now - own.Time < options.DeathVoteExpiration / 2)
        {
            return new(null, votes, needed);
        }

        return new(suspect with { Suspects = [.. others, new SuspectVote(voter, now)] }, votes, needed);
    }
}
