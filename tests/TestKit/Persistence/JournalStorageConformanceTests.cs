using FleaMarket.Runtime;
using FleaMarket.Runtime.Persistence;

namespace FleaMarket.TestKit.Persistence;

/// <summary>What every journal provider must do. Derive once per engine; each test uses fresh grain ids.</summary>
public abstract class JournalStorageConformanceTests
{
    protected abstract Task<IJournalStorage> CreateJournalAsync();

    private static GrainId NewGrain() => GrainId.FromString("journal-conformance", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Read_MissingJournal_IsEmptyWithLengthZeroAndNoSnapshot()
    {
        var journal = await CreateJournalAsync();
        var grain = NewGrain();
        Assert.Empty(await journal.ReadAsync<OrderEvent>("orders", grain, 0, 100));
        Assert.Equal(0, await journal.GetLengthAsync("orders", grain));
        Assert.Null(await journal.ReadSnapshotAsync<Totals>("orders", grain));
    }

    [Fact]
    public async Task Append_Batches_ReadBackInOrderWithPositions()
    {
        var journal = await CreateJournalAsync();
        var grain = NewGrain();
        Assert.Equal(3, await journal.AppendAsync("orders", grain, 0, Orders(1, 3)));
        Assert.Equal(5, await journal.AppendAsync("orders", grain, 3, Orders(4, 2)));

        var all = await journal.ReadAsync<OrderEvent>("orders", grain, 0, 100);
        Assert.Equal([1L, 2, 3, 4, 5], all.Select(e => e.Position));
        Assert.Equal(["o1", "o2", "o3", "o4", "o5"], all.Select(e => e.Event.OrderId));
        Assert.Equal(5, await journal.GetLengthAsync("orders", grain));
    }

    [Fact]
    public async Task Read_FromPositionWithLimit_ReturnsThatWindow()
    {
        var journal = await CreateJournalAsync();
        var grain = NewGrain();
        await journal.AppendAsync("orders", grain, 0, Orders(1, 10));
        var window = await journal.ReadAsync<OrderEvent>("orders", grain, 4, 3);
        Assert.Equal([5L, 6, 7], window.Select(e => e.Position));
    }

    [Fact]
    public async Task Append_WrongExpectedLength_ThrowsAndAppendsNothing()
    {
        var journal = await CreateJournalAsync();
        var grain = NewGrain();
        await journal.AppendAsync("orders", grain, 0, Orders(1, 2));
        await Assert.ThrowsAsync<InconsistentStateException>(() => journal.AppendAsync("orders", grain, 1, Orders(3, 1)));
        await Assert.ThrowsAsync<InconsistentStateException>(() => journal.AppendAsync("orders", grain, 0, Orders(3, 1)));
        Assert.Equal(2, await journal.GetLengthAsync("orders", grain));
    }

    [Fact]
    public async Task Append_ConcurrentWritersAtOneLength_ExactlyOneWins()
    {
        var journal = await CreateJournalAsync();
        var grain = NewGrain();
        for (var round = 0; round < 5; round++)
        {
            var length = await journal.GetLengthAsync("orders", grain);
            var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
            {
                try
                {
                    await journal.AppendAsync("orders", grain, length, Orders(100 * round + i, 2));
                    return true;
                }
                catch (InconsistentStateException)
                {
                    return false;
                }
            }));
            Assert.Equal(1, outcomes.Count(won => won));
            Assert.Equal(length + 2, await journal.GetLengthAsync("orders", grain));
        }
    }

    [Fact]
    public async Task Snapshot_WriteThenRead_ReturnsLatest()
    {
        var journal = await CreateJournalAsync();
        var grain = NewGrain();
        await journal.AppendAsync("orders", grain, 0, Orders(1, 4));
        await journal.WriteSnapshotAsync("orders", grain, 2, new Totals(2, 20));
        await journal.WriteSnapshotAsync("orders", grain, 4, new Totals(4, 40));
        var snapshot = await journal.ReadSnapshotAsync<Totals>("orders", grain);
        Assert.Equal(4, snapshot!.Position);
        Assert.Equal(new Totals(4, 40), snapshot.State);
    }

    [Fact]
    public async Task Journals_OfDifferentGrains_AreIndependent()
    {
        var journal = await CreateJournalAsync();
        var a = NewGrain();
        var b = NewGrain();
        await journal.AppendAsync("orders", a, 0, Orders(1, 3));
        await journal.AppendAsync("orders", b, 0, Orders(1, 1));
        Assert.Equal(3, await journal.GetLengthAsync("orders", a));
        Assert.Equal(1, await journal.GetLengthAsync("orders", b));
    }

    private static List<OrderEvent> Orders(int first, int count) =>
        [.. Enumerable.Range(first, count).Select(i => new OrderEvent($"o{i}", "buyer", 1, 1500))];

    public sealed record OrderEvent(string OrderId, string BuyerId, int Quantity, long UnitPriceCents);

    public sealed record Totals(long Orders, long Units);
}
