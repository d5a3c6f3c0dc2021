using FleaMarket.TestKit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Hosting;
using Orleans.Serialization.Configuration;
using Orleans.TestingHost;

namespace FleaMarket.Persistence.Tests.Reminders;

/// <summary>Reminders on SQLite in a real silo (an in-process test cluster): registered, fired, kept across a restart.</summary>
public sealed class SqliteReminderServiceTests(SqliteFixture files) : IClassFixture<SqliteFixture>
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task RegisterOrUpdateReminder_OnSqlite_FiresAndFiresAgainAfterTheSiloRestarts()
    {
        var path = await files.NewDatabaseAsync("210_reminders.sql");
        await using var cluster = BuildCluster(path);
        await cluster.DeployAsync();
        var key = Guid.NewGuid().ToString("N");

        await cluster.Client.GetGrain<IFiringReminderGrain>(key).StartTicking(Period);
        await Eventually.WaitUntilAsync(() => TicksOf(key) >= 2, "two ticks of the reminder", TimeSpan.FromSeconds(30));

        await cluster.StopSiloAsync(cluster.Silos[0]);
        Assert.Equal(1L, await CountRowsAsync(path, key));
        var ticksBeforeRestart = TicksOf(key);

        // Nobody calls the grain again: only the reminder read back from the file can activate it.
        await cluster.StartAdditionalSiloAsync();
        await Eventually.WaitUntilAsync(() => TicksOf(key) >= ticksBeforeRestart + 2, "ticks after the restart", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task StorageUnavailableException_ThrownByAGrain_ReachesTheCallerWithItsTypeAndMessage()
    {
        var path = await files.NewDatabaseAsync("210_reminders.sql");
        await using var cluster = BuildCluster(path);
        await cluster.DeployAsync();

        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() =>
            cluster.Client.GetGrain<IFiringReminderGrain>("failing").FailWithStorageUnavailable("PostgreSQL could not append: down"));
        Assert.Equal("PostgreSQL could not append: down", error.Message);
        Assert.Contains("Npgsql.NpgsqlException: Failed to connect ---> System.Net.Sockets.SocketException", error.InnerException?.Message);
    }

    [Fact]
    public async Task UseSqliteReminderService_NoConnectionString_SiloFailsAtStartNamingTheSetting()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleans(silo => silo.UseLocalhostClustering().UseSqliteReminderService(_ => { }).UseSqliteReminderService(_ => { }));
        using var host = builder.Build();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("SqliteReminderOptions.ConnectionString must be a SQLite connection string", error.Message);
        Assert.Single(error.Failures);
    }

    private static InProcessTestCluster BuildCluster(string path)
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.UseSqliteReminderService(o => o.ConnectionString = $"Data Source={path}");
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = Period);
            silo.Services.Configure<TypeManifestOptions>(o => o.EnableConfigurationAnalysis = true);
        });
        return builder.Build();
    }

    private static int TicksOf(string key) => FiringReminderGrain.Ticks.GetValueOrDefault(key);

    private static async Task<long> CountRowsAsync(string path, string key)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM reminder_entry WHERE grain_id LIKE '%' || $key;";
        command.Parameters.AddWithValue("$key", key);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
