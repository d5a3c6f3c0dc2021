using FleaMarket.Runtime.Reminders;
using FleaMarket.Runtime.Sqlite.Reminders;
using FleaMarket.TestKit.Reminders;

namespace FleaMarket.Runtime.Sqlite.Tests.Reminders;

public sealed class SqliteReminderTableTests(SqliteFixture fixture) : ReminderTableConformanceTests, IClassFixture<SqliteFixture>
{
    private static readonly DateTimeOffset Due = new(2026, 11, 21, 9, 0, 0, TimeSpan.FromHours(1));

    protected override Task<IReminderTable> CreateTableAsync(string serviceId) =>
        Task.FromResult<IReminderTable>(new SqliteReminderTable(fixture.Shared, serviceId));

    private static ReminderEntry NewEntry() => new(GrainId.FromGuid("market", Guid.NewGuid()), "open", Due.AddTicks(1234567), TimeSpan.FromMinutes(5));

    [Fact]
    public async Task Upsert_DueWithOffsetAndSubMillisecondTicks_ReadsBackTheSameInstant()
    {
        var table = await CreateTableAsync(Guid.NewGuid().ToString("N"));
        var entry = NewEntry();
        await table.UpsertAsync(entry);
        Assert.Equal(entry.FirstDue.UtcTicks, Assert.Single(await table.ReadAllAsync()).FirstDue.UtcTicks);
    }

    [Fact]
    public async Task ReadAll_AfterReopeningTheFile_ReturnsTheEntryAndItsClaims()
    {
        var path = fixture.NewPath();
        var entry = NewEntry();
        var first = fixture.Open(path);
        var writer = new SqliteReminderTable(first, "svc");
        await writer.UpsertAsync(entry);
        Assert.True(await writer.TryClaimTickAsync(entry.GrainId, entry.Name, entry.FirstDue));
        await first.DisposeAsync();

        var reader = new SqliteReminderTable(fixture.Open(path), "svc");
        Assert.Equal(entry, Assert.Single(await reader.ReadAllAsync()));
        Assert.False(await reader.TryClaimTickAsync(entry.GrainId, entry.Name, entry.FirstDue));
    }
}
