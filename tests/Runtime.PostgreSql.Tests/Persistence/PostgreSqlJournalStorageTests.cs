using FleaMarket.Runtime.Persistence;
using FleaMarket.Runtime.PostgreSql.Persistence;
using FleaMarket.TestKit.Persistence;

namespace FleaMarket.Runtime.PostgreSql.Tests.Persistence;

[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlJournalStorageTests(PostgreSqlFixture fixture) : JournalStorageConformanceTests
{
    protected override Task<IJournalStorage> CreateJournalAsync() =>
        Task.FromResult<IJournalStorage>(new PostgreSqlJournalStorage(fixture.Database, "conformance"));

    [Fact]
    public async Task WriteSnapshot_PastTheEndOfTheJournal_ThrowsAndStoresNothing()
    {
        var journal = await CreateJournalAsync();
        var grain = GrainId.FromString("journal", Guid.NewGuid().ToString("N"));
        await journal.AppendAsync("orders", grain, 0, [new Totals(1, 1)]);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => journal.WriteSnapshotAsync("orders", grain, 2, new Totals(2, 2)));
        Assert.Null(await journal.ReadSnapshotAsync<Totals>("orders", grain));
    }

    [Fact]
    public async Task WriteSnapshot_OlderThanStored_KeepsTheNewer()
    {
        var journal = await CreateJournalAsync();
        var grain = GrainId.FromString("journal", Guid.NewGuid().ToString("N"));
        await journal.AppendAsync("orders", grain, 0, [new Totals(1, 1), new Totals(2, 2)]);
        await journal.WriteSnapshotAsync("orders", grain, 2, new Totals(2, 2));
        await journal.WriteSnapshotAsync("orders", grain, 1, new Totals(1, 1));
        Assert.Equal(2, (await journal.ReadSnapshotAsync<Totals>("orders", grain))!.Position);
    }
}
