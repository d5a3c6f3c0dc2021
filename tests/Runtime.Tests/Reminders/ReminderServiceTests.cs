using FleaMarket.TestKit;
using FleaMarket.Runtime.Hosting;
using FleaMarket.Runtime.Reminders;
using FleaMarket.Runtime.Testing;
using FleaMarket.Runtime.Tests.Grains;
using Microsoft.Extensions.DependencyInjection;

namespace FleaMarket.Runtime.Tests.Reminders;

public sealed class ReminderServiceTests
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task Reminder_OwnerSiloLeaves_KeepsFiringOnNewOwnerOncePerDueTime()
    {
        await using var cluster = new TestCluster(new TestClusterOptions
        {
            InitialSilos = 3,
            ConfigureSilo = services =>
            {
                services.AddGrainsFrom(typeof(ReminderTestGrain).Assembly);
                services.Configure<ReminderOptions>(o =>
                {
                    o.MinimumPeriod = TimeSpan.Zero;
                    o.RefreshPeriod = TimeSpan.FromMilliseconds(200);
                });
            },
        });
        await cluster.DeployAsync();
        var key = $"reminder-{Guid.NewGuid():N}";
        await cluster.Client.GetGrain<IReminderTestGrain>(key).Schedule(TimeSpan.Zero, Period);
        await Eventually.WaitUntilAsync(() => TicksOf(key).Count >= 3, "reminder ticks", TimeSpan.FromSeconds(20));

        var owner = TicksOf(key)[^1].Silo;
        await cluster.StopSiloAsync(cluster.Silos.Single(s => s.Silo.Address == owner));
        var before = TicksOf(key).Count;
        await Eventually.WaitUntilAsync(() => TicksOf(key).Count >= before + 3, "reminder ticks", TimeSpan.FromSeconds(20));
        await cluster.Client.GetGrain<IReminderTestGrain>(key).Cancel();

        var ticks = TicksOf(key);
        Assert.Contains(ticks, t => t.Silo != owner);
        Assert.Equal(ticks.Count, ticks.Select(t => t.Due).Distinct().Count());
    }

    [Fact]
    public async Task RegisterOrUpdateReminder_PeriodBelowMinimum_Throws()
    {
        await using var cluster = new TestCluster(new TestClusterOptions
        {
            InitialSilos = 1,
            ConfigureSilo = services => services.AddGrainsFrom(typeof(ReminderTestGrain).Assembly),
        });
        await cluster.DeployAsync();
        var grain = cluster.Client.GetGrain<IReminderTestGrain>($"short-{Guid.NewGuid():N}");
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => grain.Schedule(TimeSpan.Zero, TimeSpan.FromSeconds(1)));
    }

    private static List<(string Key, DateTimeOffset Due, FleaMarket.Runtime.Membership.SiloAddress Silo)> TicksOf(string key) =>
        [.. ReminderTestGrain.Ticks.Where(t => t.Key == key)];
}
