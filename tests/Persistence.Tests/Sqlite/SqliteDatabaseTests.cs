using FleaMarket.Persistence.Journals;
using FleaMarket.Persistence.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace FleaMarket.Persistence.Tests.Sqlite;

/// <summary>The single write connection with group commit that the journal and the reminder table share.</summary>
public sealed class SqliteDatabaseTests(SqliteFixture files) : IClassFixture<SqliteFixture>
{
    [Fact]
    public async Task WriteAsync_OneOfManyConcurrentWritesThrows_OnlyItsChangesAreRolledBack()
    {
        var database = await NewDatabaseAsync();
        var writes = Enumerable.Range(0, 40).Select(i => database.WriteAsync(async (tx, ct) =>
        {
            await ExecuteAsync(tx, $"INSERT INTO items (id) VALUES ({i});", ct);
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
    public async Task WriteAsync_CancelledBeforeItRuns_IsCancelledAndWritesNothing()
    {
        var database = await NewDatabaseAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => database.WriteAsync((tx, ct) => ExecuteAsync(tx, "INSERT INTO items (id) VALUES (1);", ct), cancelled.Token));
        Assert.Empty(await ReadIdsAsync(database));
    }

    [Fact]
    public async Task DisposeAsync_WithWritesQueued_CommitsThemThenRefusesNewOnes()
    {
        var database = await NewDatabaseAsync();
        var queued = Enumerable.Range(0, 20).Select(i => database.WriteAsync((tx, ct) => ExecuteAsync(tx, $"INSERT INTO items (id) VALUES ({i});", ct), CancellationToken.None)).ToList();

        await database.DisposeAsync();

        await Task.WhenAll(queued);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => database.WriteAsync((_, _) => Task.FromResult(0), CancellationToken.None));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => database.ReadAsync((_, _) => Task.FromResult(0), CancellationToken.None));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), await ReadIdsAsync(files.Open(database.FilePath)));
    }

    [Fact]
    public async Task WriteAsync_AnotherConnectionHoldsTheFileLongerThanTheBusyTimeout_FailsAsUnavailableThenRecovers()
    {
        // Another writer of the file (Orleans' grain storage, another process) keeps its write transaction open.
        var path = await files.NewDatabaseAsync("200_journal.sql", "220_journal_tags.sql");
        await using var database = new SqliteDatabase($"Data Source={path}", TimeSpan.FromSeconds(1), NullLogger.Instance);
        var journal = new SqliteJournalStorage(database, "svc");
        await journal.AppendAsync("orders", "s", 0, ["first"]);
        await using var other = new SqliteConnection($"Data Source={path};Pooling=False");
        await other.OpenAsync();
        using var lockHolder = other.BeginTransaction(deferred: false);

        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => journal.AppendAsync("orders", "s", 1, ["second"]));
        Assert.Contains("locked", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(["first"], (await journal.ReadAsync<string>("orders", "s", 0, 10)).Select(e => e.Event));

        lockHolder.Commit();
        Assert.Equal(2, await journal.AppendAsync("orders", "s", 1, ["second"]));
    }

    [Fact]
    public async Task InitializeAsync_FileInAMissingDirectory_CreatesItInWalModeWithFullSync()
    {
        var database = files.Open(files.NewPath());
        await database.InitializeAsync(CancellationToken.None);
        Assert.True(File.Exists(database.FilePath));
        Assert.Equal("wal", await ScalarAsync(database, "PRAGMA journal_mode;"));
        // synchronous 2 = FULL, busy_timeout in ms; checked on the write connection, where commits happen.
        Assert.Equal(2L, await database.WriteAsync((tx, ct) => ScalarAsync(tx, "PRAGMA synchronous;", ct), CancellationToken.None));
        Assert.Equal(5000L, await database.WriteAsync((tx, ct) => ScalarAsync(tx, "PRAGMA busy_timeout;", ct), CancellationToken.None));
    }

    private async Task<SqliteDatabase> NewDatabaseAsync()
    {
        var database = files.Open(files.NewPath());
        await database.WriteAsync((tx, ct) => ExecuteAsync(tx, "CREATE TABLE items (id INTEGER PRIMARY KEY);", ct), CancellationToken.None);
        return database;
    }

    private static async Task<int> ExecuteAsync(SqliteTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<object?> ScalarAsync(SqliteTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    private static Task<object?> ScalarAsync(SqliteDatabase database, string sql) => database.ReadAsync(async (connection, ct) =>
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(ct);
    }, CancellationToken.None);

    private static Task<List<long>> ReadIdsAsync(SqliteDatabase database) => database.ReadAsync(async (connection, ct) =>
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id FROM items ORDER BY id;";
        await using var reader = await command.ExecuteReaderAsync(ct);
        var ids = new List<long>();
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetInt64(0));
        return ids;
    }, CancellationToken.None);
}
