using FleaMarket.Persistence.Journals;

namespace FleaMarket.Persistence.Tests.Journals;

/// <summary>What a grain sees while PostgreSQL is down or restarts, on a server of this collection's own.</summary>
[Collection(PostgreSqlOutageCollection.Name)]
public sealed class PostgreSqlJournalOutageTests(PostgreSqlFixture fixture)
{
    [Fact]
    public async Task AppendAsync_ServerDown_ThrowsStorageUnavailableAndAppendsAfterRestart()
    {
        await using var journal = new PostgreSqlJournalStorage(fixture.ConnectionString, "outage");
        var stream = Guid.NewGuid().ToString("N");
        await journal.AppendAsync("orders", stream, 0, ["first"]);

        await fixture.Server.StopAsync();
        try
        {
            var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => journal.AppendAsync("orders", stream, 1, ["second"]));
            Assert.Contains($"journal 'orders' stream '{stream}'", error.Message);
            Assert.StartsWith("Npgsql.NpgsqlException: ", error.InnerException?.Message);
            await Assert.ThrowsAsync<StorageUnavailableException>(() => journal.GetLengthAsync("orders", stream));
            await Assert.ThrowsAsync<StorageUnavailableException>(() => journal.ReadAsync<string>("orders", stream, 0, 10));
        }
        finally
        {
            await fixture.Server.StartAsync();
        }

        Assert.Equal(2, await journal.AppendAsync("orders", stream, 1, ["second"]));
        Assert.Equal(["first", "second"], (await journal.ReadAsync<string>("orders", stream, 0, 10)).Select(e => e.Event));
    }

    [Fact]
    public async Task Operations_AfterAServerRestartWhileIdle_SucceedAtFirstTry()
    {
        // Idle pooled connections die with the server; each operation meets a dead one first and must repeat once.
        await using var journal = new PostgreSqlJournalStorage(fixture.ConnectionString, "restart");
        var streams = Enumerable.Range(0, 8).Select(_ => Guid.NewGuid().ToString("N")).ToList();
        await Task.WhenAll(streams.Select(s => journal.AppendAsync("orders", s, 0, ["first"])));
        await Task.WhenAll(streams.Select(s => journal.GetLengthAsync("orders", s)));

        await fixture.Server.StopAsync();
        await fixture.Server.StartAsync();

        Assert.Equal(1, await journal.GetLengthAsync("orders", streams[0]));
        await fixture.Server.StopAsync();
        await fixture.Server.StartAsync();
        Assert.Equal(["first"], (await journal.ReadAsync<string>("orders", streams[1], 0, 10)).Select(e => e.Event));
        await fixture.Server.StopAsync();
        await fixture.Server.StartAsync();
        Assert.Equal(2, await journal.AppendAsync("orders", streams[2], 1, ["second"]));
    }
}
