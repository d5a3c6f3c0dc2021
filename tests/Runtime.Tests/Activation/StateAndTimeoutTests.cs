using FleaMarket.Runtime.Persistence;
using FleaMarket.Runtime.Tests.Grains;
using FleaMarket.Runtime.Tests.Testing;
using FleaMarket.Runtime.Transport;

namespace FleaMarket.Runtime.Tests.Activation;

[Collection(ClusterCollection.Name)]
public sealed class StateAndTimeoutTests(ClusterFixture fixture)
{
    [Fact]
    public async Task WriteState_StaleETag_ThrowsDropsActivationAndNextCallSeesStoredState()
    {
        var client = fixture.Cluster.Client;
        var key = $"stale-{Guid.NewGuid():N}";
        var grain = client.GetGrain<IStoredCounterGrain>(key);
        Assert.Equal(1, await grain.Increment());

        // Another writer moves the stored record on behind the activation's back.
        var id = GrainId.FromString("storedcounter", key);
        var stored = new TestState();
        await fixture.Cluster.Storage.ReadStateAsync("counter", id, stored, CancellationToken.None);
        stored.State = new CounterState { Value = 40 };
        await fixture.Cluster.Storage.WriteStateAsync("counter", id, stored, CancellationToken.None);

        await Assert.ThrowsAsync<InconsistentStateException>(() => grain.Increment());
        Assert.Equal(40, await grain.Get());
        Assert.Equal(41, await grain.Increment());
    }

    [Fact]
    public async Task Call_GrainNeverAnswers_FailsWithTimeoutAfterConfiguredTimeout()
    {
        await using var client = await fixture.Cluster.CreateClientAsync(new MessagingOptions { ResponseTimeout = TimeSpan.FromMilliseconds(500) });
        var key = $"hang-{Guid.NewGuid():N}";
        var grain = client.GetGrain<ISlowGrain>(key);

        // Activate through the default client (30 s timeout): on a loaded machine a first call may take longer than 500 ms.
        await fixture.Cluster.Client.GetGrain<ISlowGrain>(key).Ping();
        var started = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAsync<GrainCallTimeoutException>(() => grain.Hang().WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.InRange(started.Elapsed, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10));
    }

    private sealed class TestState : IGrainState<CounterState>
    {
        public CounterState State { get; set; } = new();
        public string? ETag { get; set; }
        public bool RecordExists { get; set; }
    }
}
