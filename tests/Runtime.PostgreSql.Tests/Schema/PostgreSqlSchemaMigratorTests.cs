using FleaMarket.Runtime.PostgreSql.Schema;
using Npgsql;

namespace FleaMarket.Runtime.PostgreSql.Tests.Schema;

[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlSchemaMigratorTests(PostgreSqlFixture fixture)
{
    [Fact]
    public async Task MigrateAsync_FiveSilosAtOnceOnAnEmptyDatabase_AppliesEveryScriptExactlyOnce()
    {
        var connectionString = await fixture.Server.CreateDatabaseAsync("migrate");
        var sources = Enumerable.Range(0, 5).Select(_ => NpgsqlDataSource.Create(connectionString)).ToList();
        try
        {
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var runs = sources.Select(s => Task.Run(async () =>
            {
                await start.Task;
                return await PostgreSqlSchemaMigrator.MigrateAsync(s, CancellationToken.None);
            })).ToList();
            start.SetResult();
            var applied = await Task.WhenAll(runs);

            var scripts = PostgreSqlSchemaMigrator.Scripts.Select(s => s.Name).ToList();
            Assert.NotEmpty(scripts);
            Assert.Equal(scripts, applied.SelectMany(a => a).Order());
            await using var count = sources[0].CreateCommand("SELECT count(*) FROM schema_migrations");
            Assert.Equal((long)scripts.Count, await count.ExecuteScalarAsync());
        }
        finally
        {
            foreach (var source in sources) await source.DisposeAsync();
        }
    }

    [Fact]
    public async Task MigrateAsync_UpToDateDatabase_AppliesNothing()
    {
        await using var source = NpgsqlDataSource.Create(fixture.ConnectionString);
        Assert.Empty(await PostgreSqlSchemaMigrator.MigrateAsync(source, CancellationToken.None));
    }

    [Fact]
    public void Scripts_EmbeddedFromDeployFolder_AreOrderedByVersion()
    {
        var versions = PostgreSqlSchemaMigrator.Scripts.Select(s => s.Version).ToList();
        Assert.Equal(1, versions[0]);
        Assert.Equal(versions.Order(), versions);
        Assert.Equal("001_initial.sql", PostgreSqlSchemaMigrator.Scripts[0].Name);
    }
}
