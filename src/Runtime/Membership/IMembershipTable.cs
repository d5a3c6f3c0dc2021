namespace FleaMarket.Runtime.Membership;

/// <summary>
/// The versioned table silos agree on who is alive through. Every change of a row's status or votes
/// is a compare-and-swap on the table version: it succeeds only if the caller passes the version that
/// follows the one it read, so of many concurrent writers exactly one wins each version.
/// Implementations: in-memory (tests), Redis and PostgreSQL (production).
/// </summary>
public interface IMembershipTable
{
    /// <summary>Reads every row and the table version in one consistent snapshot. An empty table has version 0.</summary>
    Task<MembershipSnapshot> ReadAllAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Inserts a row for a silo not yet in the table and sets the version to <paramref name="newVersion"/>.
    /// Returns false, changing nothing, if the table version is not <c>newVersion - 1</c> or the silo already has a row.
    /// </summary>
    Task<bool> TryInsertAsync(MembershipEntry entry, long newVersion, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the row of <c>entry.Silo</c> and sets the version to <paramref name="newVersion"/>.
    /// Returns false, changing nothing, if the table version is not <c>newVersion - 1</c> or the silo has no row.
    /// </summary>
    Task<bool> TryUpdateAsync(MembershipEntry entry, long newVersion, CancellationToken cancellationToken = default);

    /// <summary>Records that a silo is alive. Does not change the table version; no-op if the silo has no row.</summary>
    Task UpdateIAmAliveAsync(SiloAddress silo, DateTimeOffset time, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes rows that are not Active and whose last I-am-alive (or start, if later) is before
    /// <paramref name="olderThan"/>. Active rows and fresh rows stay. Returns how many rows went.
    /// </summary>
    Task<int> CleanupDefunctEntriesAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default);
}
