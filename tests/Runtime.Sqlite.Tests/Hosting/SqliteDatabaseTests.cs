using FleaMarket.Runtime.Sqlite.Hosting;
using Microsoft.Data.Sqlite;

namespace FleaMarket.Runtime.Sqlite.Tests.Hosting;

public sealed class SqliteDatabaseTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>
{
    [Fact]
    public async Task Initialize_NewFileInMissingDirectory_CreatesItInWalMode()
    {
        Assert.True(File.Exists(fixture.SharedPath));
        Assert.Equal("wal", await ScalarAsync(fixture.Shared, "PRAGMA journal_mode;"));
    }

    [Fact]
    public async Task Open_WriteConnection_UsesFullSynchronousAndABusyTimeout()
    {
        // synchronous: 2 = FULL. Checked on the write connection, where commits happen.
        Assert.Equal(2L, await fixture.Shared.WriteAsync((tx, ct) => tx.Command("PRAGMA synchronous;").ExecuteScalarAsync(ct), CancellationToken.None));
        Assert.Equal(5000L, await fixture.Shared.WriteAsync((tx, ct) => tx.Command("PRAGMA busy_timeout;").ExecuteScalarAsync(ct), CancellationToken.None));
    }

    [Fact]
    public async Task Initialize_ReopenedFile_AppliesEachSchemaScriptOnce()
    {
        var path = fixture.NewPath();
        var first = fixture.Open(path);
        await first.InitializeAsync(CancellationToken.None);
        await first.DisposeAsync();

        var second = fixture.Open(path);
        await second.InitializeAsync(CancellationToken.None);
        Assert.Equal((long)SqliteSchema.Scripts.Count, await ScalarAsync(second, "SELECT COUNT(*) FROM schema_migrations;"));
        Assert.Equal(SqliteSchema.Scripts[^1].Version, await ScalarAsync(second, "SELECT MAX(version) FROM schema_migrations;"));
    }

    [Fact]
    public async Task Initialize_TwoDatabaseObjectsOnOneNewFile_BothSucceed()
    {
        var path = fixture.NewPath();
        await Task.WhenAll(fixture.Open(path).InitializeAsync(CancellationToken.None), fixture.Open(path).InitializeAsync(CancellationToken.None));
        Assert.Equal((long)SqliteSchema.Scripts.Count, await ScalarAsync(fixture.Open(path), "SELECT COUNT(*) FROM schema_migrations;"));
    }

    [Fact]
    public async Task Write_AfterDispose_ThrowsObjectDisposed()
    {
        var database = fixture.Open(fixture.NewPath());
        await database.InitializeAsync(CancellationToken.None);
        await database.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => database.WriteAsync((_, _) => Task.FromResult(0), CancellationToken.None));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => database.ReadAsync((_, _) => Task.FromResult(0), CancellationToken.None));
    }

    private static Task<object?> ScalarAsync(SqliteDatabase database, string sql) =>
        database.ReadAsync((SqliteConnection c, CancellationToken ct) => c.Command(sql).ExecuteScalarAsync(ct), CancellationToken.None);
}
