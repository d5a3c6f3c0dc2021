using FleaMarket.TestKit;
using FleaMarket.Runtime.Testing;
using FleaMarket.Runtime.Tests.Grains;
using FleaMarket.Runtime.Tests.Testing;

namespace FleaMarket.Runtime.Tests.Activation;

public sealed class IdleCollectionTests
{
    [Fact]
    public async Task CollectIdle_AfterCollectionAge_DeactivatesIdleGrainButNotBusyOne()
    {
        var clock = new ManualTimeProvider();
        await using var cluster = new TestCluster(ClusterFixture.NewOptions(1, clock));
        await cluster.DeployAsync();
        var idle = cluster.Client.GetGrain<ISlowGrain>($"idle-{Guid.NewGuid():N}");
        var busy = cluster.Client.GetGrain<ISlowGrain>($"busy-{Guid.NewGuid():N}");
        await idle.Ping();
        var busyCall = busy.Block();
        await ActivationRegistry.WhenBlocking(busy.GetGrainId()).WaitAsync(TimeSpan.FromSeconds(10));

        clock.Advance(TimeSpan.FromMinutes(14));
        Assert.Equal(0, ActivationRegistry.DeactivationCount(idle.GetGrainId()));

        // The default collection age is 15 minutes, checked every minute: the sweep at minute 15 takes the idle grain.
        clock.Advance(TimeSpan.FromMinutes(1));
        await Eventually.WaitUntilAsync(() => ActivationRegistry.DeactivationCount(idle.GetGrainId()) == 1);
        Assert.Equal(0, ActivationRegistry.DeactivationCount(busy.GetGrainId()));
        Assert.True(ActivationRegistry.IsLive(busy.GetGrainId()));

        // The idle grain comes back on its next call. The busy call itself outlived the client's 30 s
        // response timeout on the moved clock, so the client gave up on it while the grain kept running.
        await idle.Ping().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(ActivationRegistry.IsLive(idle.GetGrainId()));
        await busy.Release();
        await Assert.ThrowsAsync<GrainCallTimeoutException>(() => busyCall.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
