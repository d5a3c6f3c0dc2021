using FleaMarket.Persistence.Journals;
using Microsoft.Data.Sqlite;

namespace FleaMarket.Persistence.Tests.Journals;

public sealed class SqliteJournalStorageTests(SqliteFixture files) : JournalStorageConformanceTests, IClassFixture<SqliteFixture>, IAsyncLifetime
{
    private string _path = "";

    public async Task InitializeAsync() => _path = await files.NewDatabaseAsync("200_journal.sql", "220_journal_tags.sql");

    public Task DisposeAsync() => Task.CompletedTask;

    private protected override IJournalStorage CreateJournal(string serviceId) => new SqliteJournalStorage(files.Open(_path), serviceId);

    [Fact]
    public async Task ReadAsync_AfterReopeningTheFile_ReturnsWhatWasAppended()
    {
        var stream = NewStream();
        var first = files.Open(_path);
        await new SqliteJournalStorage(first, "svc").AppendAsync("orders", stream, 0, NewOrders(1, 3));
        await first.DisposeAsync();

        var reopened = new SqliteJournalStorage(files.Open(_path), "svc");
        Assert.Equal(3, await reopened.GetLengthAsync("orders", stream));
        Assert.Equal(NewOrders(1, 3), (await reopened.ReadAsync<OrderPlaced>("orders", stream, 0, 10)).Select(e => e.Event));
        Assert.Equal(5, await reopened.AppendAsync("orders", stream, 3, NewOrders(4, 2)));
    }

    [Fact]
    public async Task AppendAsync_NewFile_IsInWalModeAndStoresReadableJson()
    {
        var stream = NewStream();
        await new SqliteJournalStorage(files.Open(_path), "svc").AppendAsync("orders", stream, 0, NewOrders(7, 1));

        await using var connection = new SqliteConnection($"Data Source={_path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", await command.ExecuteScalarAsync());
        command.CommandText = "SELECT payload FROM journal_entry WHERE stream_id = $stream;";
        command.Parameters.AddWithValue("$stream", stream);
        Assert.Equal("""{"OrderId":"o7","BuyerId":"w","Quantity":1,"UnitPriceCents":1500}""", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task AppendAsync_ManyStreamsConcurrently_AllCommitThroughTheOneWriter()
    {
        var journal = CreateJournal();
        var streams = Enumerable.Range(0, 200).Select(_ => NewStream()).ToList();
        var lengths = await Task.WhenAll(streams.Select(s => journal.AppendAsync("orders", s, 0, NewOrders(1, 2))));
        Assert.All(lengths, l => Assert.Equal(2, l));
        foreach (var stream in streams) Assert.Equal(2, await journal.GetLengthAsync("orders", stream));
    }

    [Fact]
    public async Task AppendAsync_FileWithoutTheSchema_ThrowsStorageUnavailable()
    {
        var journal = new SqliteJournalStorage(files.Open(files.NewPath()), "svc");
        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => journal.AppendAsync("orders", NewStream(), 0, NewOrders(1, 1)));
        Assert.Contains("journal_stream", error.Message);
        Assert.StartsWith("Microsoft.Data.Sqlite.SqliteException: ", error.InnerException?.Message);
    }
}
