using FleaMarket.Cluster.Tests.Engines;
using FleaMarket.Cluster.Tests.MultiProcess;
using Npgsql;
using Xunit.Abstractions;

namespace FleaMarket.Cluster.Tests.Reminders;

/// <summary>
/// Orleans' ADO.NET reminders on the project's PostgreSQL schema: a market's opening reminder, registered when the
/// market is created, survives the silo process being killed with SIGKILL and fires on a silo started afterwards,
/// which warms the market's listings up and then removes the reminder.
/// </summary>
[Collection(EnginesCollection.Name)]
public sealed class ReminderDurabilityTests(EngineServersFixture engines, ITestOutputHelper output)
{
    /// <summary>When the market opens, after the kill; the new silo may start before or after that.</summary>
    private static readonly TimeSpan s_opensIn = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task OpeningReminder_SiloProcessKilledBeforeItIsDue_FiresOnANewSilo()
    {
        var database = await engines.Postgres.CreateDatabaseAsync("reminders");
        await using var cluster = ProcessCluster.Create(engines.Redis.Endpoint, database, new Dictionary<string, string>
        {
            // The reminder fires at the opening (no lead) and, should it be late, every second after.
            ["Markets__WarmUpLead"] = "00:00:00",
            ["Markets__ReminderPeriod"] = "00:00:01",
            ["Reminders__MinimumReminderPeriod"] = "00:00:01",
        });
        await cluster.RunShowingLogsOnFailureAsync(c => RunAsync(c, database), output);
    }

    private async Task RunAsync(ProcessCluster cluster, string database)
    {
        var timeline = new Timeline(output);
        await cluster.StartAsync(silos: 1);
        var run = Guid.NewGuid().ToString("N")[..8];
        string market;
        List<string> listings = [];
        using (var api = new ApiClient(cluster.ApiAddress))
        {
            var seller = await Shop.SignUpAsync(api, $"seller-{run}");
            market = await Shop.OpenMarketAsync(api, seller, "Opens later", DateTimeOffset.UtcNow + s_opensIn);
            for (var i = 0; i < 2; i++) listings.Add(await Shop.AddListingAsync(api, seller, market, $"Item {i}", 10));
        }

        // The reminder is in PostgreSQL; then every silo of the cluster dies before it is due.
        Assert.Equal(1, await OpeningRemindersAsync(database, cluster.ServiceId, market));
        var old = Assert.Single(cluster.Silos);
        await cluster.KillAsync(old);
        Assert.Equal(1, await OpeningRemindersAsync(database, cluster.ServiceId, market));
        timeline.Mark($"market opening in {s_opensIn.TotalSeconds:F0} s created, its reminder in PostgreSQL; {old.Name} killed");

        // A new silo joins the same cluster. The reminder fires there: the listings are activated by the warm-up
        // (nothing else calls them now) and the reminder removes itself, as the market is open.
        var fresh = cluster.StartSilo("silo-new");
        await cluster.WaitUntilReadyAsync(fresh);
        timeline.Mark($"{fresh.Name} joined");
        await cluster.WaitAsync(async () => await OpeningRemindersAsync(database, cluster.ServiceId, market) == 0,
            "the opening reminder fired and removed itself", s_opensIn + TimeSpan.FromSeconds(60));
        timeline.Mark("the reminder fired and removed itself");
        foreach (var listing in listings)
        {
            await cluster.WaitAsync(async () => await cluster.Observer.SiloOfAsync("listing", listing) == fresh.Name,
                $"listing {listing} was warmed up on {fresh.Name}", TimeSpan.FromSeconds(30));
        }
    }

    private static async Task<long> OpeningRemindersAsync(string database, string serviceId, string market)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM orleans_reminders WHERE service_id = $1 AND reminder_name = 'opening' AND grain_id LIKE '%' || $2", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = market });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
