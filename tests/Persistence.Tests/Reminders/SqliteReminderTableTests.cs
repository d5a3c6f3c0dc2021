using FleaMarket.Persistence.Reminders;
using FleaMarket.Persistence.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;

namespace FleaMarket.Persistence.Tests.Reminders;

/// <summary>Orleans' <see cref="IReminderTable"/> contract on SQLite, called directly. Each test has its own file.</summary>
public sealed class SqliteReminderTableTests(SqliteFixture files) : IClassFixture<SqliteFixture>, IAsyncLifetime
{
    private readonly SqliteDatabaseRegistry _registry = new(NullLoggerFactory.Instance);
    private string _path = "";
    private IReminderTable _table = null!;

    public async Task InitializeAsync()
    {
        _path = await files.NewDatabaseAsync("210_reminders.sql");
        _table = await StartTableAsync("service-a");
    }

    public async Task DisposeAsync() => await _registry.DisposeAsync();

    [Fact]
    public async Task UpsertRow_ThenReadRow_RoundTripsEveryFieldWithTheReturnedETag()
    {
        var entry = NewEntry(NewGrain(), "foo/bar\\#b_a_z?");
        var etag = await _table.UpsertRow(entry);

        var read = await _table.ReadRow(entry.GrainId, entry.ReminderName);
        Assert.NotNull(read);
        Assert.Equal(entry.GrainId, read.GrainId);
        Assert.Equal(entry.ReminderName, read.ReminderName);
        Assert.Equal(entry.StartAt, read.StartAt);
        Assert.Equal(DateTimeKind.Utc, read.StartAt.Kind);
        Assert.Equal(entry.Period, read.Period);
        Assert.False(string.IsNullOrEmpty(etag));
        Assert.Equal(etag, read.ETag);
    }

    [Fact]
    public async Task ReadRow_Missing_ReturnsNull()
    {
        var grain = NewGrain();
        await _table.UpsertRow(NewEntry(grain, "present"));
        Assert.Null(await _table.ReadRow(grain, "absent"));
        Assert.Null(await _table.ReadRow(NewGrain(), "present"));
    }

    [Fact]
    public async Task UpsertRow_Existing_ReplacesTheRowWithANewETag()
    {
        var entry = NewEntry(NewGrain(), "r");
        var first = await _table.UpsertRow(entry);
        entry.Period = TimeSpan.FromMinutes(5);
        entry.StartAt = entry.StartAt.AddHours(1);
        var second = await _table.UpsertRow(entry);

        Assert.NotEqual(first, second);
        var read = Assert.Single((await _table.ReadRows(entry.GrainId)).Reminders);
        Assert.Equal((second, entry.Period, entry.StartAt), (read.ETag, read.Period, read.StartAt));
    }

    [Fact]
    public async Task UpsertRow_StartAtOfUnspecifiedKind_IsTakenAsUtc()
    {
        var entry = NewEntry(NewGrain(), "r");
        entry.StartAt = new DateTime(2026, 11, 30, 12, 0, 0, DateTimeKind.Unspecified);
        await _table.UpsertRow(entry);
        Assert.Equal(new DateTime(2026, 11, 30, 12, 0, 0, DateTimeKind.Utc), (await _table.ReadRow(entry.GrainId, "r"))!.StartAt);
    }

    [Fact]
    public async Task RemoveRow_ETagMismatchWrongNameOrGone_ReturnsFalseAndRemovesOnlyOnMatch()
    {
        var entry = NewEntry(NewGrain(), "r");
        var stale = await _table.UpsertRow(entry);
        var current = await _table.UpsertRow(entry);

        Assert.False(await _table.RemoveRow(entry.GrainId, "r", stale!));
        Assert.False(await _table.RemoveRow(entry.GrainId, "other", current!));
        Assert.NotNull(await _table.ReadRow(entry.GrainId, "r"));
        Assert.True(await _table.RemoveRow(entry.GrainId, "r", current!));
        Assert.Null(await _table.ReadRow(entry.GrainId, "r"));
        Assert.False(await _table.RemoveRow(entry.GrainId, "r", current!));
    }

    [Fact]
    public async Task RemoveRow_ETagFromBeforeTheRowWasRecreated_DoesNotMatch()
    {
        var entry = NewEntry(NewGrain(), "r");
        var before = await _table.UpsertRow(entry);
        Assert.True(await _table.RemoveRow(entry.GrainId, "r", before!));
        await _table.UpsertRow(entry);

        Assert.False(await _table.RemoveRow(entry.GrainId, "r", before!));
        Assert.NotNull(await _table.ReadRow(entry.GrainId, "r"));
    }

    [Fact]
    public async Task ReadRows_ByGrain_ReturnsAllItsRemindersAndNoOthers()
    {
        var grain = NewGrain();
        await _table.UpsertRow(NewEntry(grain, "a"));
        await _table.UpsertRow(NewEntry(grain, "b"));
        await _table.UpsertRow(NewEntry(NewGrain(), "a"));

        var rows = await _table.ReadRows(grain);
        Assert.Equal(["a", "b"], rows.Reminders.Select(r => r.ReminderName).Order());
        Assert.All(rows.Reminders, r => Assert.Equal(grain, r.GrainId));
    }

    [Fact]
    public async Task ReadRows_HashRanges_ReturnExactlyTheHashesInBeginExclusiveEndInclusiveWrappingWhenBeginIsNotBelowEnd()
    {
        var grains = Enumerable.Range(0, 300).Select(_ => NewGrain()).ToList();
        foreach (var grain in grains) await _table.UpsertRow(NewEntry(grain, "r"));
        var hashes = grains.Select(g => g.GetUniformHashCode()).ToList();
        // Half the hashes are above int.MaxValue: a signed comparison would misplace them.
        Assert.Contains(hashes, h => h > int.MaxValue);
        Assert.Contains(hashes, h => h <= int.MaxValue);

        var sorted = hashes.Order().ToList();
        var (low, mid, high) = (sorted[10], sorted[150], sorted[290]);
        uint[][] ranges =
        [
            [0, uint.MaxValue], [0, 0], [uint.MaxValue, uint.MaxValue], [mid, mid],
            [low, high], [high, low], [mid, uint.MaxValue], [uint.MaxValue, mid], [0, mid],
            [mid - 1, mid], [mid, mid + 1], [mid, mid - 1],
            [(uint)int.MaxValue, uint.MaxValue - 1], [uint.MaxValue - 1, (uint)int.MaxValue],
        ];
        foreach (var range in ranges)
        {
            var (begin, end) = (range[0], range[1]);
            var expected = hashes.Where(h => begin < end ? h > begin && h <= end : h > begin || h <= end).Order();
            var actual = (await _table.ReadRows(begin, end)).Reminders.Select(r => r.GrainId.GetUniformHashCode()).Order();
            Assert.True(expected.SequenceEqual(actual), $"range ({begin}, {end}]: expected {expected.Count()} reminders, got {actual.Count()}");
        }

        Assert.Equal(300, (await _table.ReadRows(0, 0)).Reminders.Count);
        Assert.Equal(grains[0], Assert.Single((await _table.ReadRows(hashes[0] - 1, hashes[0])).Reminders).GrainId);
        Assert.Equal(299, (await _table.ReadRows(hashes[0], hashes[0] - 1)).Reminders.Count);
    }

    [Fact]
    public async Task Rows_OfAnotherServiceInTheSameFile_AreInvisibleAndSurviveItsClear()
    {
        var other = await StartTableAsync("service-b");
        var grain = NewGrain();
        await _table.UpsertRow(NewEntry(grain, "mine"));
        await other.UpsertRow(NewEntry(grain, "theirs"));

        Assert.Equal("mine", Assert.Single((await _table.ReadRows(grain)).Reminders).ReminderName);
        Assert.Equal("theirs", Assert.Single((await other.ReadRows(0, 0)).Reminders).ReminderName);
        Assert.Null(await _table.ReadRow(grain, "theirs"));

        await _table.TestOnlyClearTable();
        Assert.Empty((await _table.ReadRows(0, 0)).Reminders);
        Assert.Single((await other.ReadRows(0, 0)).Reminders);
    }

    [Fact]
    public async Task UpsertRow_ConcurrentlyForManyGrains_EachGetsItsOwnETag()
    {
        var entries = Enumerable.Range(0, 100).Select(i => NewEntry(NewGrain(), $"r{i % 3}")).ToList();
        var etags = await Task.WhenAll(entries.Select(_table.UpsertRow));
        Assert.Equal(100, etags.Distinct().Count());
        Assert.Equal(100, (await _table.ReadRows(0, 0)).Reminders.Count);
    }

    [Fact]
    public async Task Rows_AfterReopeningTheFile_AreStillThere()
    {
        var entry = NewEntry(NewGrain(), "r");
        var etag = await _table.UpsertRow(entry);
        await _registry.DisposeAsync();

        await using var registry = new SqliteDatabaseRegistry(NullLoggerFactory.Instance);
        var reopened = new SqliteReminderTable(registry, Options.Create(new SqliteReminderOptions { ConnectionString = $"Data Source={_path}" }),
            Options.Create(new ClusterOptions { ServiceId = "service-a" }));
        await reopened.StartAsync();
        Assert.Equal(etag, (await reopened.ReadRow(entry.GrainId, "r"))?.ETag);
    }

    [Fact]
    public async Task StartAsync_FileWithoutTheTable_FailsNamingTheScript()
    {
        await using var registry = new SqliteDatabaseRegistry(NullLoggerFactory.Instance);
        var table = new SqliteReminderTable(registry, Options.Create(new SqliteReminderOptions { ConnectionString = $"Data Source={files.NewPath()}" }),
            Options.Create(new ClusterOptions { ServiceId = "service-a" }));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => table.StartAsync());
        Assert.Contains("210_reminders.sql", error.Message);
    }

    private async Task<IReminderTable> StartTableAsync(string serviceId)
    {
        var table = new SqliteReminderTable(_registry, Options.Create(new SqliteReminderOptions { ConnectionString = $"Data Source={_path}" }),
            Options.Create(new ClusterOptions { ServiceId = serviceId }));
        await table.StartAsync();
        return table;
    }

    private static GrainId NewGrain() =>
        GrainId.Create(GrainType.Create("remindable"), GrainIdKeyExtensions.CreateGuidKey(Guid.NewGuid(), "foo/bar\\#baz?"));

    private static ReminderEntry NewEntry(GrainId grain, string name) => new()
    {
        GrainId = grain,
        ReminderName = name,
        // Whole ticks as stored; DateTime.UtcNow already is.
        StartAt = DateTime.UtcNow,
        Period = TimeSpan.FromMinutes(1),
    };
}
