using FleaMarket.Persistence.Journals;
using Orleans.Storage;

namespace FleaMarket.Persistence.Tests.Journals;

/// <summary>What every journal engine must do. Derived once per engine; each test uses fresh stream and service ids.</summary>
public abstract class JournalStorageConformanceTests
{
    private const string Orders = "orders";

    /// <summary>A journal of <paramref name="serviceId"/>; journals of different service ids on one engine must not see each other.</summary>
    private protected abstract IJournalStorage CreateJournal(string serviceId);

    private protected IJournalStorage CreateJournal() => CreateJournal("conformance");

    protected static string NewStream() => "listing-" + Guid.NewGuid().ToString("N");

    protected static List<OrderPlaced> NewOrders(int first, int count, string writer = "w") =>
        [.. Enumerable.Range(first, count).Select(i => new OrderPlaced($"o{i}", writer, 1, 1500))];

    [Fact]
    public async Task ReadAsync_StreamNeverAppended_IsEmptyWithLengthZero()
    {
        var journal = CreateJournal();
        var stream = NewStream();
        Assert.Empty(await journal.ReadAsync<OrderPlaced>(Orders, stream, 0, 100));
        Assert.Equal(0, await journal.GetLengthAsync(Orders, stream));
    }

    [Fact]
    public async Task AppendAsync_TwoBatches_ReadBackInOrderWithPositionsAndLength()
    {
        var journal = CreateJournal();
        var stream = NewStream();
        Assert.Equal(3, await journal.AppendAsync(Orders, stream, 0, NewOrders(1, 3)));
        Assert.Equal(5, await journal.AppendAsync(Orders, stream, 3, NewOrders(4, 2)));

        var all = await journal.ReadAsync<OrderPlaced>(Orders, stream, 0, 100);
        Assert.Equal([1L, 2, 3, 4, 5], all.Select(e => e.Position));
        Assert.Equal(NewOrders(1, 5), all.Select(e => e.Event));
        Assert.Equal(5, await journal.GetLengthAsync(Orders, stream));
    }

    [Fact]
    public async Task AppendAsync_EventWithNestedAndNonAsciiValues_RoundTripsAsJson()
    {
        var journal = CreateJournal();
        var stream = NewStream();
        var order = new OrderWithLines("o1", "Zoë 🛒 «quoted» \"x\"", [new Line("sku-1", 2), new Line("sku-2", 1)], DateTimeOffset.Parse("2026-11-30T12:00:00.1234567+01:00", System.Globalization.CultureInfo.InvariantCulture));
        await journal.AppendAsync(Orders, stream, 0, [order]);
        var read = Assert.Single(await journal.ReadAsync<OrderWithLines>(Orders, stream, 0, 10)).Event;
        Assert.Equal(order.Buyer, read.Buyer);
        Assert.Equal(order.Lines, read.Lines);
        Assert.Equal(order.PlacedAt, read.PlacedAt);
    }

    [Fact]
    public async Task ReadAsync_PagesOfThree_ReturnEveryEventOnceInOrder()
    {
        var journal = CreateJournal();
        var stream = NewStream();
        await journal.AppendAsync(Orders, stream, 0, NewOrders(1, 10));

        Assert.Equal([5L, 6, 7], (await journal.ReadAsync<OrderPlaced>(Orders, stream, 4, 3)).Select(e => e.Position));
        var positions = new List<long>();
        long after = 0;
        while (await journal.ReadAsync<OrderPlaced>(Orders, stream, after, 3) is { Count: > 0 } page)
        {
            Assert.True(page.Count <= 3);
            positions.AddRange(page.Select(e => e.Position));
            after = page[^1].Position;
        }

        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), positions);
        Assert.Empty(await journal.ReadAsync<OrderPlaced>(Orders, stream, 10, 3));
    }

    [Fact]
    public async Task AppendAsync_WrongExpectedLength_ThrowsInconsistentStateAndAppendsNothing()
    {
        var journal = CreateJournal();
        var stream = NewStream();
        await journal.AppendAsync(Orders, stream, 0, NewOrders(1, 2));

        await Assert.ThrowsAsync<InconsistentStateException>(() => journal.AppendAsync(Orders, stream, 1, NewOrders(3, 3)));
        await Assert.ThrowsAsync<InconsistentStateException>(() => journal.AppendAsync(Orders, stream, 0, NewOrders(3, 3)));
        await Assert.ThrowsAsync<InconsistentStateException>(() => journal.AppendAsync(Orders, stream, 5, NewOrders(3, 3)));
        Assert.Equal(2, await journal.GetLengthAsync(Orders, stream));
        Assert.Equal(NewOrders(1, 2), (await journal.ReadAsync<OrderPlaced>(Orders, stream, 0, 100)).Select(e => e.Event));
    }

    [Fact]
    public async Task AppendAsync_ExpectedLengthOnStreamNeverAppended_ThrowsInconsistentState()
    {
        var journal = CreateJournal();
        var stream = NewStream();
        await Assert.ThrowsAsync<InconsistentStateException>(() => journal.AppendAsync(Orders, stream, 2, NewOrders(1, 1)));
        Assert.Equal(0, await journal.GetLengthAsync(Orders, stream));
    }

    [Fact]
    public async Task AppendAsync_NoEvents_ChecksTheLengthOnly()
    {
        var journal = CreateJournal();
        var stream = NewStream();
        Assert.Equal(0, await journal.AppendAsync<OrderPlaced>(Orders, stream, 0, []));
        await journal.AppendAsync(Orders, stream, 0, NewOrders(1, 2));
        Assert.Equal(2, await journal.AppendAsync<OrderPlaced>(Orders, stream, 2, []));
        await Assert.ThrowsAsync<InconsistentStateException>(() => journal.AppendAsync<OrderPlaced>(Orders, stream, 1, []));
    }

    [Fact]
    public async Task AppendAsync_ConcurrentWritersAtOneLength_ExactlyOneWinsWithItsWholeBatch()
    {
        var journal = CreateJournal();
        var stream = NewStream();
        for (var round = 0; round < 5; round++)
        {
            var length = await journal.GetLengthAsync(Orders, stream);
            var winners = await Task.WhenAll(Enumerable.Range(0, 20).Select(async writer =>
            {
                try
                {
                    await journal.AppendAsync(Orders, stream, length, NewOrders(1, 3, $"writer-{writer}"));
                    return $"writer-{writer}";
                }
                catch (InconsistentStateException)
                {
                    return null;
                }
            }));

            var winner = Assert.Single(winners, w => w is not null);
            Assert.Equal(length + 3, await journal.GetLengthAsync(Orders, stream));
            // All or nothing: the three new events are the winner's, and no loser left one behind.
            var appended = await journal.ReadAsync<OrderPlaced>(Orders, stream, length, 100);
            Assert.Equal(NewOrders(1, 3, winner!), appended.Select(e => e.Event));
        }
    }

    [Fact]
    public async Task AppendAsync_ManySmallBatches_PositionsAreContiguous()
    {
        var journal = CreateJournal();
        var stream = NewStream();
        long length = 0;
        for (var i = 0; i < 50; i++) length = await journal.AppendAsync(Orders, stream, length, NewOrders(2 * i, 2));
        var events = await journal.ReadAsync<OrderPlaced>(Orders, stream, 0, 1000);
        Assert.Equal(Enumerable.Range(1, 100).Select(p => (long)p), events.Select(e => e.Position));
        Assert.Equal(NewOrders(0, 100), events.Select(e => e.Event));
    }

    [Fact]
    public async Task AppendAsync_OtherStreamsJournalNamesAndServices_AreIsolated()
    {
        var journal = CreateJournal();
        var other = CreateJournal("other-service-" + Guid.NewGuid().ToString("N"));
        var a = NewStream();
        var b = NewStream();
        await journal.AppendAsync(Orders, a, 0, NewOrders(1, 3));
        await journal.AppendAsync(Orders, b, 0, NewOrders(10, 1));
        await journal.AppendAsync("payouts", a, 0, NewOrders(20, 2));
        await other.AppendAsync(Orders, a, 0, NewOrders(30, 4));

        Assert.Equal(3, await journal.GetLengthAsync(Orders, a));
        Assert.Equal(1, await journal.GetLengthAsync(Orders, b));
        Assert.Equal(2, await journal.GetLengthAsync("payouts", a));
        Assert.Equal(4, await other.GetLengthAsync(Orders, a));
        Assert.Equal(0, await other.GetLengthAsync(Orders, b));
        Assert.Equal(NewOrders(1, 3), (await journal.ReadAsync<OrderPlaced>(Orders, a, 0, 100)).Select(e => e.Event));
        Assert.Equal(NewOrders(20, 2), (await journal.ReadAsync<OrderPlaced>("payouts", a, 0, 100)).Select(e => e.Event));
        Assert.Equal(NewOrders(30, 4), (await other.ReadAsync<OrderPlaced>(Orders, a, 0, 100)).Select(e => e.Event));
    }

    [Fact]
    public async Task FindStreamsAsync_TagsOfSeveralAppends_EachStreamOnceInStreamOrder()
    {
        var journal = CreateJournal();
        var buyer = "buyer-" + Guid.NewGuid().ToString("N");
        var other = "buyer-" + Guid.NewGuid().ToString("N");
        string[] streams = [.. new[] { NewStream(), NewStream(), NewStream() }.Order(StringComparer.Ordinal)];

        await journal.AppendAsync(Orders, streams[2], 0, NewOrders(1, 2), [buyer, other, buyer]);
        await journal.AppendAsync(Orders, streams[2], 2, NewOrders(3, 1), [buyer]);
        await journal.AppendAsync(Orders, streams[0], 0, NewOrders(4, 1), [buyer]);
        await journal.AppendAsync(Orders, streams[1], 0, NewOrders(5, 1));

        Assert.Equal([streams[0], streams[2]], await journal.FindStreamsAsync(Orders, buyer));
        Assert.Equal([streams[2]], await journal.FindStreamsAsync(Orders, other));
        Assert.Empty(await journal.FindStreamsAsync(Orders, "buyer-nobody"));
        Assert.Empty(await journal.FindStreamsAsync("payouts", buyer));
        Assert.Empty(await CreateJournal("other-service-" + Guid.NewGuid().ToString("N")).FindStreamsAsync(Orders, buyer));
    }

    [Fact]
    public async Task AppendAsync_LostCompareAndSwap_AddsNoTag()
    {
        var journal = CreateJournal();
        var stream = NewStream();
        var buyer = "buyer-" + Guid.NewGuid().ToString("N");
        await journal.AppendAsync(Orders, stream, 0, NewOrders(1, 2));

        await Assert.ThrowsAsync<InconsistentStateException>(() => journal.AppendAsync(Orders, stream, 1, NewOrders(3, 1), [buyer]));
        await Assert.ThrowsAsync<InconsistentStateException>(() => journal.AppendAsync(Orders, stream, 0, NewOrders(3, 1), [buyer]));

        Assert.Empty(await journal.FindStreamsAsync(Orders, buyer));
        Assert.Equal(2, await journal.GetLengthAsync(Orders, stream));
    }

    [Fact]
    public async Task Methods_InvalidArguments_ThrowBeforeTouchingTheStream()
    {
        var journal = CreateJournal();
        var stream = NewStream();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => journal.AppendAsync(Orders, stream, -1, NewOrders(1, 1)));
        await Assert.ThrowsAsync<ArgumentNullException>(() => journal.AppendAsync<OrderPlaced>(Orders, stream, 0, null!));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => journal.AppendAsync("", stream, 0, NewOrders(1, 1)));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => journal.AppendAsync(Orders, "", 0, NewOrders(1, 1)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => journal.ReadAsync<OrderPlaced>(Orders, stream, -1, 10));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => journal.ReadAsync<OrderPlaced>(Orders, stream, 0, 0));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => journal.AppendAsync(Orders, stream, 0, NewOrders(1, 1), [""]));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => journal.AppendAsync(Orders, stream, 0, NewOrders(1, 1), [new string('t', 201)]));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => journal.FindStreamsAsync(Orders, ""));
        Assert.Equal(0, await journal.GetLengthAsync(Orders, stream));
    }

    public sealed record OrderPlaced(string OrderId, string BuyerId, int Quantity, long UnitPriceCents);

    public sealed record Line(string Sku, int Quantity);

    public sealed record OrderWithLines(string OrderId, string Buyer, IReadOnlyList<Line> Lines, DateTimeOffset PlacedAt);
}
