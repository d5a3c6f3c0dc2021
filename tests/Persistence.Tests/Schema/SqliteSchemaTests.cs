using FleaMarket.Persistence.Schema;
using Microsoft.Data.Sqlite;

namespace FleaMarket.Persistence.Tests.Schema;

public sealed class SqliteSchemaTests : IDisposable
{
    private const DatabaseEngine Engine = DatabaseEngine.Sqlite;
    private readonly TemporaryDirectory _directory = new();

    /// <summary>Orleans' scripts (1xx): each must apply alone on an empty file, and again.</summary>
    public static TheoryData<string> OrleansScripts =>
        [.. SchemaScripts.For(Engine).Where(script => script.Name.StartsWith('1')).Select(script => script.Name)];

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task ApplyAsync_FileInMissingDirectory_CreatesItInWalModeWithEveryScript()
    {
        var connectionString = _directory.SqliteConnectionString("data/nested/fleamarket.db");

        await DatabaseSchema.ApplyAsync(Engine, connectionString);

        Assert.True(File.Exists(Path.Combine(_directory.Path, "data/nested/fleamarket.db")));
        Assert.Equal("wal", await ScalarAsync(connectionString, "PRAGMA journal_mode"));
        var expected = SchemaScripts.For(Engine).Select(script => script.Name).ToList();
        Assert.Contains("110_orleans_storage.sql", expected);
        Assert.Equal(expected, (await AppliedAsync(connectionString)).Select(row => row.Script));
    }

    [Fact]
    public async Task ApplyAsync_NewFile_StoresEveryQueryTheStorageProviderReads()
    {
        var connectionString = _directory.SqliteConnectionString();

        await DatabaseSchema.ApplyAsync(Engine, connectionString);

        Assert.Superset(new HashSet<string>(OrleansQueryKeys.Storage), (await QueriesAsync(connectionString)).Select(query => query.Key).ToHashSet());
    }

    [Fact]
    public async Task ApplyAsync_SecondCall_ChangesNothing()
    {
        var connectionString = _directory.SqliteConnectionString();
        await DatabaseSchema.ApplyAsync(Engine, connectionString);
        var applied = await AppliedAsync(connectionString);
        var queries = await QueriesAsync(connectionString);

        await DatabaseSchema.ApplyAsync(Engine, connectionString);

        Assert.Equal(applied, await AppliedAsync(connectionString));
        Assert.Equal(queries, await QueriesAsync(connectionString));
    }

    [Fact]
    public async Task ApplyAsync_ConcurrentCallsOnNewFile_AllSucceedAndApplyEachScriptOnce()
    {
        var connectionString = _directory.SqliteConnectionString();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => DatabaseSchema.ApplyAsync(Engine, connectionString))));

        Assert.Equal(SchemaScripts.For(Engine).Select(script => script.Name), (await AppliedAsync(connectionString)).Select(row => row.Script));
    }

    [Fact]
    public async Task ApplyAsync_ScriptAddedLater_AppliesOnlyTheNewScript()
    {
        var connectionString = _directory.SqliteConnectionString();
        // Not idempotent on purpose: running it a second time would fail.
        SchemaScript first = new("900_first.sql", "CREATE TABLE schema_probe_first (id INTEGER)");
        SchemaScript second = new("901_second.sql", "CREATE TABLE schema_probe_second (id INTEGER)");
        await DatabaseSchema.ApplyAsync(Engine, connectionString, [first], logger: null, CancellationToken.None);

        await DatabaseSchema.ApplyAsync(Engine, connectionString, [first, second], logger: null, CancellationToken.None);

        Assert.Equal(["900_first.sql", "901_second.sql"], (await AppliedAsync(connectionString)).Select(row => row.Script));
    }

    [Fact]
    public async Task ApplyAsync_FailingScript_ThrowsNamingScriptAndEngineAndKeepsNothing()
    {
        var connectionString = _directory.SqliteConnectionString();
        SchemaScript good = new("900_good.sql", "CREATE TABLE schema_probe (id INTEGER)");
        SchemaScript bad = new("901_bad.sql", "SELECT * FROM no_such_table");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => DatabaseSchema.ApplyAsync(Engine, connectionString, [good, bad], logger: null, CancellationToken.None));

        Assert.Contains("901_bad.sql", error.Message, StringComparison.Ordinal);
        Assert.Contains("Sqlite", error.Message, StringComparison.Ordinal);
        Assert.IsType<SqliteException>(error.InnerException);
        Assert.Equal(0L, await ScalarAsync(connectionString, "SELECT count(*) FROM sqlite_master WHERE name IN ('schema_probe', 'fleamarket_schema')"));
    }

    [Theory]
    [MemberData(nameof(OrleansScripts))]
    public async Task OrleansScript_RunTwiceByHandOnEmptyFile_Succeeds(string name)
    {
        var connectionString = _directory.SqliteConnectionString($"{Path.GetFileNameWithoutExtension(name)}.db");
        var script = SchemaScripts.For(Engine).Single(candidate => candidate.Name == name);

        await ExecuteAsync(connectionString, script.Sql);
        var queries = await QueriesAsync(connectionString);
        await ExecuteAsync(connectionString, script.Sql);

        Assert.Equal(queries, await QueriesAsync(connectionString));
    }

    private static async Task<List<(string Script, string AppliedAt)>> AppliedAsync(string connectionString)
    {
        var rows = new List<(string, string)>();
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new SqliteCommand("SELECT script, applied_at FROM fleamarket_schema ORDER BY script", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1)));
        }

        return rows;
    }

    private static async Task<List<KeyValuePair<string, string>>> QueriesAsync(string connectionString)
    {
        var rows = new List<KeyValuePair<string, string>>();
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new SqliteCommand("SELECT QueryKey, QueryText FROM OrleansQuery ORDER BY QueryKey", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new(reader.GetString(0), reader.GetString(1)));
        }

        return rows;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new SqliteCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new SqliteCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
