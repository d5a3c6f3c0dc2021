using FleaMarket.Cluster.Tests.Engines;
using FleaMarket.Cluster.Tests.Grains;
using FleaMarket.Runtime;
using FleaMarket.Runtime.Hosting;
using FleaMarket.Runtime.PostgreSql;
using FleaMarket.Runtime.Reminders;
using FleaMarket.Runtime.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace FleaMarket.Cluster.Tests.Reminders;

/// <summary>
/// Issue 3, acceptance 2: a reminder in PostgreSQL fires again after every silo of the cluster is gone and new
/// silos start, on the silo that owns the grain, once per due time.
/// </summary>
[Collection(EnginesCollection.Name)]
public sealed class ReminderDurabilityTests(EngineServersFixture engines)
{
    private static readonly TimeSpan s_period = TimeSpan.FromMilliseconds(400);

    [Fact]
    public Task Reminder_EverySiloStoppedThenNewSilosStart_FiresAgainOnOwnerOncePerDueTime() => RestartEverySiloAsync(kill: false);

    [Fact]
    public Task Reminder_EverySiloKilledThenNewSilosStart_FiresAgainOnOwnerOncePerDueTime() => RestartEverySiloAsync(kill: true);

    private async Task RestartEverySiloAsync(bool kill)
    {
        var connectionString = await engines.Postgres.CreateDatabaseAsync("reminders");
        await using var membership = EngineServices.PostgreSql(connectionString, "reminders");
        await using var cluster = new TestCluster(new TestClusterOptions
        {
            InitialSilos = 2,
            MembershipTable = membership.MembershipTable,
            UseInMemoryStorage = false,
            ConfigureSilo = services =>
            {
                services.AddGrainsFrom(typeof(DurableReminderGrain).Assembly);
                services.AddPostgreSqlGrainStorage(configure: o => o.ConnectionString = connectionString);
                services.AddPostgreSqlReminders(o => o.ConnectionString = connectionString);
                services.Configure<ReminderOptions>(o =>
                {
                    o.MinimumPeriod = TimeSpan.Zero;
                    o.RefreshPeriod = TimeSpan.FromMilliseconds(200);
                });
            },
        });
        await cluster.DeployAsync();
        var key = $"reminder-{Guid.NewGuid():N}";
        var grain = cluster.Client.GetGrain<IDurableReminderGrain>(key);
        await grain.Schedule(TimeSpan.Zero, s_period);
        await WaitForTicksAsync(key, 2);

        var oldSilos = cluster.Silos.ToList();
        foreach (var silo in oldSilos)
        {
            if (kill) cluster.KillSilo(silo);
            else await cluster.StopSiloAsync(silo);
        }

        await Task.WhenAll(oldSilos.Select(s => s.Silo.Stopped));
        var ticksWhileDown = TicksOf(key).Count;
        await cluster.StartAdditionalSiloAsync();
        await cluster.StartAdditionalSiloAsync();
        await cluster.WaitForLivenessToStabilizeAsync();

        // From here on the view is stable: every tick must come from the silo that holds the grain.
        var stableFrom = TicksOf(key).Count;
        await WaitForTicksAsync(key, stableFrom + 3);
        await grain.Cancel();

        var ticks = TicksOf(key);
        var grainId = grain.GetGrainId();
        var owner = Assert.Single(cluster.Silos, s => s.ActivationIds.Contains(grainId));
        Assert.All(ticks.Skip(stableFrom), t => Assert.Equal(owner.Silo.Address, t.Silo));
        Assert.All(ticks.Skip(ticksWhileDown), t => Assert.DoesNotContain(oldSilos, s => s.Silo.Address == t.Silo));
        Assert.Equal(ticks.Count, ticks.Select(t => t.Due).Distinct().Count());

        // Every tick wrote the grain's state first; the count survived the restart in PostgreSQL.
        await Eventually.WaitUntilAsync(async () => await grain.GetStoredTicks() == TicksOf(key).Count, "the stored tick count matches the ticks seen", Eventually.ClusterDeadline);
    }

    private static List<Tick> TicksOf(string key) => [.. DurableReminderGrain.Ticks.Where(t => t.Key == key)];

    private static Task WaitForTicksAsync(string key, int count) =>
        Eventually.WaitUntilAsync(() => TicksOf(key).Count >= count, $"{count} ticks of reminder {key} arrived (seen {TicksOf(key).Count})", TimeSpan.FromSeconds(30));
}
