using FleaMarket.Runtime.Persistence;
using FleaMarket.Runtime.Sqlite.Persistence;
using FleaMarket.TestKit.Persistence;

namespace FleaMarket.Runtime.Sqlite.Tests.Persistence;

public sealed class SqliteJournalStorageTests(SqliteFixture fixture) : JournalStorageConformanceTests, IClassFixture<SqliteFixture>
{
    protected override Task<IJournalStorage> CreateJournalAsync() =>
        Task.FromResult<IJournalStorage>(new SqliteJournalStorage(fixture.Shared, "conformance"));

    [Fact]
    public async Task Read_AfterReopeningTheFile_ReturnsEventsAndSnapshot()
    {
        var path = fixture.NewPath();
        var grain = GrainId.FromGuid("listing", Guid.NewGuid());
        var first = fixture.Open(path);
        var writer = new SqliteJournalStorage(first, "svc");
        await writer.AppendAsync("orders", grain, 0, ["a", "b", "c"]);
        await writer.WriteSnapshotAsync("orders", grain, 2, 20L);
        await first.DisposeAsync();

        var reader = new SqliteJournalStorage(fixture.Open(path), "svc");
        Assert.Equal(3, await reader.GetLengthAsync("orders", grain));
        Assert.Equal(["a", "b", "c"], (await reader.ReadAsync<string>("orders", grain, 0, 10)).Select(e => e.Event));
        Assert.Equal(new JournalSnapshot<long>(2, 20), await reader.ReadSnapshotAsync<long>("orders", grain));
    }

    [Fact]
    public async Task WriteSnapshot_OlderPositionAfterNewer_KeepsNewer()
    {
        var journal = await CreateJournalAsync();
        var grain = GrainId.FromGuid("listing", Guid.NewGuid());
        await journal.AppendAsync("orders", grain, 0, ["a", "b", "c"]);
        await journal.WriteSnapshotAsync("orders", grain, 3, "three");
        await journal.WriteSnapshotAsync("orders", grain, 1, "one");
        Assert.Equal(new JournalSnapshot<string>(3, "three"), await journal.ReadSnapshotAsync<string>("orders", grain));
    }

    [Fact]
    public async Task WriteSnapshot_PastTheEnd_ThrowsArgumentOutOfRange()
    {
        var journal = await CreateJournalAsync();
        var grain = GrainId.FromGuid("listing", Guid.NewGuid());
        await journal.AppendAsync("orders", grain, 0, ["a"]);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => journal.WriteSnapshotAsync("orders", grain, 2, "two"));
    }

    [Fact]
    public async Task Append_ManySmallBatches_PositionsAreContiguous()
    {
        var journal = await CreateJournalAsync();
        var grain = GrainId.FromGuid("listing", Guid.NewGuid());
        long length = 0;
        for (var i = 0; i < 50; i++) length = await journal.AppendAsync("orders", grain, length, [i, i]);
        var events = await journal.ReadAsync<int>("orders", grain, 0, 1000);
        Assert.Equal(Enumerable.Range(1, 100).Select(p => (long)p), events.Select(e => e.Position));
    }
}
