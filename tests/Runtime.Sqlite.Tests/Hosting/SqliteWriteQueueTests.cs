using FleaMarket.Runtime.Sqlite.Hosting;
using Microsoft.Data.Sqlite;

namespace FleaMarket.Runtime.Sqlite.Tests.Hosting;

public sealed class SqliteWriteQueueTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>
{
    [Fact]
    public async Task Write_OneOfManyConcurrentWritesThrows_OnlyItsChangesAreRolledBack()
    {
        var database = await NewDatabaseAsync();
        var writes = Enumerable.Range(0, 40).Select(i => database.WriteAsync(async (tx, ct) =>
        {
            await tx.Command("INSERT INTO items (id) VALUES ($id);").With("$id", i).ExecuteNonQueryAsync(ct);
            return i % 7 == 3 ? throw new InvalidOperationException($"write {i} fails after inserting") : i;
        }, CancellationToken.None)).ToList();

        var outcomes = await Task.WhenAll(writes.Select(async w =>
        {
            try
            {
                return await w;
            }
            catch (InvalidOperationException)
            {
                return -1;
            }
        }));
        var expected = Enumerable.Range(0, 40).Where(i => i % 7 != 3).Select(i => (long)i).ToList();
        Assert.Equal(expected, outcomes.Where(i => i >= 0).Select(i => (long)i));
        Assert.Equal(expected, await ReadIdsAsync(database));
    }

    [Fact]
    public async Task Write_CancelledBeforeItRuns_IsCancelledAndWritesNothing()
    {
        var database = await NewDatabaseAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => database.WriteAsync(
            (tx, ct) => tx.Command("INSERT INTO items (id) VALUES (1);").ExecuteNonQueryAsync(ct), cancelled.Token));
        Assert.Empty(await ReadIdsAsync(database));
    }

    [Fact]
    public async Task Dispose_WithWritesQueued_CommitsThemThenRefusesNewOnes()
    {
        var database = await NewDatabaseAsync();
        var queued = Enumerable.Range(0, 20).Select(i => database.WriteAsync(
            (tx, ct) => tx.Command("INSERT INTO items (id) VALUES ($id);").With("$id", i).ExecuteNonQueryAsync(ct), CancellationToken.None)).ToList();
        await database.DisposeAsync();
        await Task.WhenAll(queued);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => database.WriteAsync((_, _) => Task.FromResult(0), CancellationToken.None));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), await ReadIdsAsync(fixture.Open(database.FilePath)));
    }

    private async Task<SqliteDatabase> NewDatabaseAsync()
    {
        var database = fixture.Open(fixture.NewPath());
        await database.WriteAsync((tx, ct) => tx.Command("CREATE TABLE items (id INTEGER PRIMARY KEY);").ExecuteNonQueryAsync(ct), CancellationToken.None);
        return database;
    }

    private static Task<List<long>> ReadIdsAsync(SqliteDatabase database) => database.ReadAsync(async (SqliteConnection c, CancellationToken ct) =>
    {
        using var reader = await c.Command("SELECT id FROM items ORDER BY id;").ExecuteReaderAsync(ct);
        var ids = new List<long>();
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetInt64(0));
        return ids;
    }, CancellationToken.None);
}
