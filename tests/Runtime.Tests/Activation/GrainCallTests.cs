using FleaMarket.Runtime.Tests.Grains;
using FleaMarket.Runtime.Tests.Testing;

namespace FleaMarket.Runtime.Tests.Activation;

[Collection(ClusterCollection.Name)]
public sealed class GrainCallTests(ClusterFixture fixture)
{
    private Runtime.Client.ClusterClient Client => fixture.Cluster.Client;

    [Fact]
    public async Task GetGrain_EachKeyKindAcrossBothSilos_ReturnsValues()
    {
        var silosSeen = new HashSet<string>();
        for (var i = 0; i < 40; i++)
        {
            var key = $"echo-{Guid.NewGuid():N}";
            var echo = Client.GetGrain<IEchoGrain>(key);
            Assert.Equal($"{key}:hi", await echo.Echo("hi"));
            silosSeen.Add(await echo.WhereAmI());

            var guid = Guid.NewGuid();
            Assert.Equal(guid, await Client.GetGrain<IGuidKeyGrain>(guid).GetKey());
            var number = Random.Shared.NextInt64(long.MinValue, long.MaxValue);
            Assert.Equal(number, await Client.GetGrain<ILongKeyGrain>(number).GetKey());
        }

        Assert.Equal(2, silosSeen.Count);
    }

    [Fact]
    public async Task Call_GrainThrows_CallerGetsTypedExceptionWithMessage()
    {
        var echo = Client.GetGrain<IEchoGrain>($"thrower-{Guid.NewGuid():N}");
        var error = await Assert.ThrowsAsync<ListingSoldOutTestException>(() => echo.Fail("only 0 left"));
        Assert.Equal("only 0 left", error.Message);
    }

    [Fact]
    public async Task Call_RecordWithCollections_RoundTripsThroughSerialization()
    {
        var sent = new EchoRecord("lamp", 41, ["vintage", "brass"], DateTimeOffset.Parse("2026-11-21T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var back = await Client.GetGrain<IEchoGrain>($"record-{Guid.NewGuid():N}").Roundtrip(sent);
        Assert.Equal(42, back.Count);
        Assert.Equal(sent.Tags, back.Tags);
        Assert.Equal(sent.At, back.At);
    }

    [Fact]
    public async Task Increment_HundredConcurrentCallsOnNonReentrantGrain_LosesNoUpdate()
    {
        var counter = Client.GetGrain<ICounterGrain>($"counter-{Guid.NewGuid():N}");
        await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => counter.Increment()));
        Assert.Equal(100, await counter.Get());
    }

    [Fact]
    public async Task MeetPartner_ReentrantGrain_InterleavesTwoRequests()
    {
        // The first request can only finish once the second has run inside the same activation.
        var grain = Client.GetGrain<IRendezvousGrain>($"rendezvous-{Guid.NewGuid():N}");
        var first = grain.MeetPartner();
        var second = grain.MeetPartner();
        var both = await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.All(both, Assert.True);
    }

    [Fact]
    public async Task MeetPartner_ReadOnlyMethodOnNonReentrantGrain_TwoReadsInterleave()
    {
        var grain = Client.GetGrain<IReadOnlyRendezvousGrain>($"readers-{Guid.NewGuid():N}");
        var both = await Task.WhenAll(grain.MeetPartner(), grain.MeetPartner()).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.All(both, Assert.True);
    }

    [Fact]
    public async Task Release_AlwaysInterleaveMethod_RunsWhileAnotherRequestBlocks()
    {
        var grain = Client.GetGrain<ISlowGrain>($"blocker-{Guid.NewGuid():N}");
        var blocked = grain.Block();
        await grain.Release().WaitAsync(TimeSpan.FromSeconds(10));
        await blocked.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
