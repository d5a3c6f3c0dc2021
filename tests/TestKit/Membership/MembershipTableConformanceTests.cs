using FleaMarket.Runtime;
using FleaMarket.Runtime.Membership;

namespace FleaMarket.TestKit.Membership;

/// <summary>
/// The contract of <see cref="IMembershipTable"/>, run against every implementation (in-memory, Redis,
/// PostgreSQL). Each test gets a fresh, empty table from <see cref="CreateTableAsync"/>.
/// </summary>
public abstract class MembershipTableConformanceTests
{
    private static readonly DateTimeOffset s_now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static int s_nextPort = 11000;

    /// <summary>A fresh, empty table.</summary>
    protected abstract Task<IMembershipTable> CreateTableAsync();

    [Fact]
    public async Task ReadAll_EmptyTable_HasVersionZeroAndNoRows()
    {
        var table = await CreateTableAsync();

        var snapshot = await table.ReadAllAsync();

        Assert.Equal(0, snapshot.Version);
        Assert.Empty(snapshot.Entries);
    }

    [Fact]
    public async Task TryInsert_NextVersion_SucceedsAndBumpsVersion()
    {
        var table = await CreateTableAsync();
        var entry = NewEntry(SiloStatus.Joining);

        Assert.True(await table.TryInsertAsync(entry, 1));

        var snapshot = await table.ReadAllAsync();
        Assert.Equal(1, snapshot.Version);
        AssertSameRow(entry, Assert.Single(snapshot.Entries));
    }

    [Fact]
    public async Task TryInsert_DuplicateSilo_FailsAndChangesNothing()
    {
        var table = await CreateTableAsync();
        var entry = NewEntry(SiloStatus.Joining);
        Assert.True(await table.TryInsertAsync(entry, 1));

        Assert.False(await table.TryInsertAsync(entry with { Status = SiloStatus.Active }, 2));

        var snapshot = await table.ReadAllAsync();
        Assert.Equal(1, snapshot.Version);
        AssertSameRow(entry, Assert.Single(snapshot.Entries));
    }

    [Fact]
    public async Task TryInsert_StaleOrSkippedVersion_Fails()
    {
        var table = await CreateTableAsync();
        Assert.True(await table.TryInsertAsync(NewEntry(SiloStatus.Active), 1));

        Assert.False(await table.TryInsertAsync(NewEntry(SiloStatus.Joining), 1));
        Assert.False(await table.TryInsertAsync(NewEntry(SiloStatus.Joining), 3));

        var snapshot = await table.ReadAllAsync();
        Assert.Equal(1, snapshot.Version);
        Assert.Single(snapshot.Entries);
    }

    [Fact]
    public async Task TryUpdate_StaleVersion_FailsAndLeavesRowUnchanged()
    {
        var table = await CreateTableAsync();
        var entry = NewEntry(SiloStatus.Joining);
        Assert.True(await table.TryInsertAsync(entry, 1));
        Assert.True(await table.TryUpdateAsync(entry with { Status = SiloStatus.Active }, 2));

        Assert.False(await table.TryUpdateAsync(entry with { Status = SiloStatus.Dead }, 2));

        var snapshot = await table.ReadAllAsync();
        Assert.Equal(2, snapshot.Version);
        Assert.Equal(SiloStatus.Active, snapshot.Find(entry.Silo)?.Status);
    }

    [Fact]
    public async Task TryUpdate_MissingRow_Fails()
    {
        var table = await CreateTableAsync();

        Assert.False(await table.TryUpdateAsync(NewEntry(SiloStatus.Active), 1));

        Assert.Equal(0, (await table.ReadAllAsync()).Version);
    }

    [Fact]
    public async Task TryUpdate_NextVersion_SucceedsAndReplacesRow()
    {
        var table = await CreateTableAsync();
        var entry = NewEntry(SiloStatus.Joining);
        var other = NewEntry(SiloStatus.Active);
        Assert.True(await table.TryInsertAsync(entry, 1));
        Assert.True(await table.TryInsertAsync(other, 2));
        var updated = entry with { Status = SiloStatus.Active, IAmAliveTime = s_now.AddSeconds(5) };

        Assert.True(await table.TryUpdateAsync(updated, 3));

        var snapshot = await table.ReadAllAsync();
        Assert.Equal(3, snapshot.Version);
        AssertSameRow(updated, snapshot.Find(entry.Silo));
        AssertSameRow(other, snapshot.Find(other.Silo));
    }

    [Fact]
    public async Task TryUpdate_TwentyConcurrentWriters_ExactlyOneWinsEachRound()
    {
        var table = await CreateTableAsync();
        var entry = NewEntry(SiloStatus.Active);
        Assert.True(await table.TryInsertAsync(entry, 1));

        for (var round = 0; round < 5; round++)
        {
            var version = (await table.ReadAllAsync()).Version;
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var writers = Enumerable.Range(0, 20).Select(writer => Task.Run(async () =>
            {
                await start.Task;
                var row = entry with { SiloName = $"round {round} writer {writer}" };
                return (Won: await table.TryUpdateAsync(row, version + 1), Row: row);
            })).ToList();
            start.SetResult();
            var results = await Task.WhenAll(writers);

            var winner = Assert.Single(results, r => r.Won);
            var snapshot = await table.ReadAllAsync();
            Assert.Equal(version + 1, snapshot.Version);
            AssertSameRow(winner.Row, snapshot.Find(entry.Silo));
        }
    }

    [Fact]
    public async Task TryInsert_TwentyConcurrentWriters_ExactlyOneWinsEachRound()
    {
        var table = await CreateTableAsync();

        for (var round = 0; round < 5; round++)
        {
            var version = (await table.ReadAllAsync()).Version;
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var writers = Enumerable.Range(0, 20).Select(_ => Task.Run(async () =>
            {
                await start.Task;
                return await table.TryInsertAsync(NewEntry(SiloStatus.Joining), version + 1);
            })).ToList();
            start.SetResult();
            var results = await Task.WhenAll(writers);

            Assert.Single(results, won => won);
            var snapshot = await table.ReadAllAsync();
            Assert.Equal(version + 1, snapshot.Version);
            Assert.Equal(round + 1, snapshot.Entries.Length);
        }
    }

    [Fact]
    public async Task UpdateIAmAlive_ExistingRow_UpdatesTimeButNotVersion()
    {
        var table = await CreateTableAsync();
        var entry = NewEntry(SiloStatus.Active);
        Assert.True(await table.TryInsertAsync(entry, 1));
        var later = s_now.AddMinutes(1);

        await table.UpdateIAmAliveAsync(entry.Silo, later);

        var snapshot = await table.ReadAllAsync();
        Assert.Equal(1, snapshot.Version);
        var row = snapshot.Find(entry.Silo);
        Assert.NotNull(row);
        Assert.Equal(later, row.IAmAliveTime);
        Assert.Equal(entry.Status, row.Status);
    }

    [Fact]
    public async Task UpdateIAmAlive_MissingRow_ChangesNothing()
    {
        var table = await CreateTableAsync();

        await table.UpdateIAmAliveAsync(NewSilo(), s_now);

        var snapshot = await table.ReadAllAsync();
        Assert.Equal(0, snapshot.Version);
        Assert.Empty(snapshot.Entries);
    }

    [Fact]
    public async Task CleanupDefunctEntries_RemovesOldNonActiveRows_KeepsActiveAndFreshRows()
    {
        var table = await CreateTableAsync();
        var old = s_now.AddDays(-2);
        var oldDead = NewEntry(SiloStatus.Dead, old);
        var oldShuttingDown = NewEntry(SiloStatus.ShuttingDown, old);
        var oldActive = NewEntry(SiloStatus.Active, old);
        var freshDead = NewEntry(SiloStatus.Dead, s_now);
        var oldStartFreshAlive = NewEntry(SiloStatus.Dead, old) with { IAmAliveTime = s_now };
        var rows = new[] { oldDead, oldShuttingDown, oldActive, freshDead, oldStartFreshAlive };
        for (var i = 0; i < rows.Length; i++)
        {
            Assert.True(await table.TryInsertAsync(rows[i], i + 1));
        }

        var removed = await table.CleanupDefunctEntriesAsync(s_now.AddDays(-1));

        Assert.Equal(2, removed);
        var remaining = (await table.ReadAllAsync()).Entries.Select(e => e.Silo).ToHashSet();
        Assert.Equal([oldActive.Silo, freshDead.Silo, oldStartFreshAlive.Silo], remaining.Order());
    }

    [Fact]
    public async Task TryUpdate_SuspectVotes_RoundTrip()
    {
        var table = await CreateTableAsync();
        var entry = NewEntry(SiloStatus.Active);
        Assert.True(await table.TryInsertAsync(entry, 1));
        SuspectVote[] votes = [new(NewSilo(), s_now.AddSeconds(-30)), new(NewSilo(), s_now)];

        Assert.True(await table.TryUpdateAsync(entry with { Suspects = [.. votes] }, 2));

        var row = (await table.ReadAllAsync()).Find(entry.Silo);
        Assert.NotNull(row);
        Assert.Equal(votes, row.Suspects);
    }

    /// <summary>Compares field by field: a row read back from a database is a new list and new instants.</summary>
    private static void AssertSameRow(MembershipEntry expected, MembershipEntry? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Silo, actual.Silo);
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.SiloName, actual.SiloName);
        Assert.Equal(expected.StartTime, actual.StartTime);
        Assert.Equal(expected.IAmAliveTime, actual.IAmAliveTime);
        Assert.Equal(expected.Suspects, actual.Suspects);
    }

    private static SiloAddress NewSilo() =>
        new("127.0.0.1", Interlocked.Increment(ref s_nextPort), Random.Shared.NextInt64(1, long.MaxValue));

    private static MembershipEntry NewEntry(SiloStatus status, DateTimeOffset? time = null)
    {
        var silo = NewSilo();
        return new MembershipEntry(silo, status, $"silo-{silo.Port}", time ?? s_now, time ?? s_now);
    }
}
