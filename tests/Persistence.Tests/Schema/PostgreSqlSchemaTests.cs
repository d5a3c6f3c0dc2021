using FleaMarket.Persistence.Schema;
using Npgsql;

namespace FleaMarket.Persistence.Tests.Schema;

[Collection(PostgreSqlSchemaCollection.Name)]
public sealed class PostgreSqlSchemaTests(PostgreSqlServerFixture postgres)
{
    private const DatabaseEngine Engine = DatabaseEngine.PostgreSql;

    /// <summary>Orleans' scripts (1xx): each must apply alone on an empty database, and again.</summary>
    public static TheoryData<string> OrleansScripts =>
        [.. SchemaScripts.For(Engine).Where(script => script.Name.StartsWith('1')).Select(script => script.Name)];

    [Fact]
    public async Task ApplyAsync_NewDatabase_RecordsEveryScriptInFileNameOrder()
    {
        var connectionString = await postgres.CreateDatabaseAsync();

        await DatabaseSchema.ApplyAsync(Engine, connectionString);

        var expected = SchemaScripts.For(Engine).Select(script => script.Name).ToList();
        Assert.Contains("130_orleans_clustering.sql", expected);
        Assert.Equal(expected, (await AppliedAsync(connectionString)).Select(row => row.Script));
    }

    [Fact]
    public async Task ApplyAsync_NewDatabase_StoresEveryQueryTheProvidersRead()
    {
        var connectionString = await postgres.CreateDatabaseAsync();

        await DatabaseSchema.ApplyAsync(Engine, connectionString);

        var keys = (await QueriesAsync(connectionString)).Select(query => query.Key).ToHashSet();
        Assert.Superset(new HashSet<string>([.. OrleansQueryKeys.Storage, .. OrleansQueryKeys.Reminders, .. OrleansQueryKeys.Clustering]), keys);
    }

    [Fact]
    public async Task ApplyAsync_SecondCall_ChangesNothing()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await DatabaseSchema.ApplyAsync(Engine, connectionString);
        var applied = await AppliedAsync(connectionString);
        var queries = await QueriesAsync(connectionString);

        await DatabaseSchema.ApplyAsync(Engine, connectionString);

        Assert.Equal(applied, await AppliedAsync(connectionString));
        Assert.Equal(queries, await QueriesAsync(connectionString));
    }

    [Fact]
    public async Task ApplyAsync_ConcurrentCallsOnNewDatabase_AllSucceedAndApplyEachScriptOnce()
    {
        var connectionString = await postgres.CreateDatabaseAsync();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => DatabaseSchema.ApplyAsync(Engine, connectionString))));

        Assert.Equal(SchemaScripts.For(Engine).Select(script => script.Name), (await AppliedAsync(connectionString)).Select(row => row.Script));
    }

    [Fact]
    public async Task ApplyAsync_ScriptAddedLater_AppliesOnlyTheNewScript()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        // Not idempotent on purpose: running it a second time would fail.
        SchemaScript first = new("900_first.sql", "CREATE TABLE schema_probe_first (id integer)");
        SchemaScript second = new("901_second.sql", "CREATE TABLE schema_probe_second (id integer)");
        await DatabaseSchema.ApplyAsync(Engine, connectionString, [first], logger: null, CancellationToken.None);

        await DatabaseSchema.ApplyAsync(Engine, connectionString, [first, second], logger: null, CancellationToken.None);

        Assert.Equal(["900_first.sql", "901_second.sql"], (await AppliedAsync(connectionString)).Select(row => row.Script));
    }

    [Fact]
    public async Task ApplyAsync_FailingScript_ThrowsNamingScriptAndEngineAndKeepsNothing()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        SchemaScript good = new("900_good.sql", "CREATE TABLE schema_probe (id integer)");
        SchemaScript bad = new("901_bad.sql", "SELECT * FROM no_such_table");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => DatabaseSchema.ApplyAsync(Engine, connectionString, [good, bad], logger: null, CancellationToken.None));

        Assert.Contains("901_bad.sql", error.Message, StringComparison.Ordinal);
        Assert.Contains("PostgreSql", error.Message, StringComparison.Ordinal);
        Assert.IsType<PostgresException>(error.InnerException);
        Assert.Equal(0L, await ScalarAsync(connectionString, "SELECT count(*) FROM pg_tables WHERE tablename IN ('schema_probe', 'fleamarket_schema')"));
    }

    [Fact]
    public async Task ApplyAsync_UnreachableServer_ThrowsNamingEngine()
    {
        var connectionString = "Host=127.0.0.1;Port=1;Username=postgres;Database=none;Timeout=2";

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => DatabaseSchema.ApplyAsync(Engine, connectionString));

        Assert.Contains("PostgreSql", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(OrleansScripts))]
    public async Task OrleansScript_RunTwiceByHandOnEmptyDatabase_Succeeds(string name)
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        var script = SchemaScripts.For(Engine).Single(candidate => candidate.Name == name);

        await ExecuteAsync(connectionString, script.Sql);
        var queries = await QueriesAsync(connectionString);
        await ExecuteAsync(connectionString, script.Sql);

        Assert.Equal(queries, await QueriesAsync(connectionString));
    }

    private static async Task<List<(string Script, DateTime AppliedAt)>> AppliedAsync(string connectionString)
    {
        var rows = new List<(string, DateTime)>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT script, applied_at FROM fleamarket_schema ORDER BY script", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetDateTime(1)));
        }

        return rows;
    }

    private static async Task<List<KeyValuePair<string, string>>> QueriesAsync(string connectionString)
    {
        var rows = new List<KeyValuePair<string, string>>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT QueryKey, QueryText FROM OrleansQuery ORDER BY QueryKey", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new(reader.GetString(0), reader.GetString(1)));
        }

        return rows;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
