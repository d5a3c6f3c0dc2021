using FleaMarket.Runtime.Persistence;
using FleaMarket.Runtime.PostgreSql.Persistence;
using FleaMarket.TestKit.Persistence;
using static FleaMarket.TestKit.Persistence.GrainStorageConformanceTests;

namespace FleaMarket.Runtime.PostgreSql.Tests.Persistence;

/// <summary>What a grain sees while PostgreSQL is down, on a server of its own collection.</summary>
[Collection(PostgreSqlOutageCollection.Name)]
public sealed class PostgreSqlOutageTests(PostgreSqlFixture fixture)
{
    [Fact]
    public async Task WriteState_ServerDown_ThrowsClearErrorAndWritesAfterRestartWithoutLosingAcknowledgedState()
    {
        var storage = new PostgreSqlGrainStorage(fixture.Database, "outage", 64 * 1024);
        var acknowledged = Enumerable.Range(0, 5).Select(_ => GrainId.FromString("outage", Guid.NewGuid().ToString("N"))).ToList();
        foreach (var (grain, i) in acknowledged.Select((g, i) => (g, i)))
        {
            await storage.WriteStateAsync("counter", grain, new TestGrainState { State = new StoredValue { Value = i } }, CancellationToken.None);
        }

        var target = acknowledged[0];
        var state = new TestGrainState();
        await storage.ReadStateAsync("counter", target, state, CancellationToken.None);
        var etagBefore = state.ETag;
        state.State = new StoredValue { Value = 100 };

        await fixture.Server.StopAsync();
        try
        {
            var error = await Assert.ThrowsAsync<PostgreSqlStorageException>(() => storage.WriteStateAsync("counter", target, state, CancellationToken.None));
            Assert.Contains("write state 'counter'", error.Message);
            Assert.Contains(target.ToString(), error.Message);
            Assert.Equal(etagBefore, state.ETag);
        }
        finally
        {
            await fixture.Server.StartAsync();
        }

        await storage.WriteStateAsync("counter", target, state, CancellationToken.None);
        Assert.NotEqual(etagBefore, state.ETag);
        var values = new List<int>();
        foreach (var grain in acknowledged)
        {
            var read = new TestGrainState();
            await storage.ReadStateAsync("counter", grain, read, CancellationToken.None);
            values.Add(read.State.Value);
        }

        Assert.Equal([100, 1, 2, 3, 4], values);
    }

    [Fact]
    public async Task AppendAsync_ServerDown_ThrowsClearErrorNotInconsistentState()
    {
        IJournalStorage journal = new PostgreSqlJournalStorage(fixture.Database, "outage");
        var grain = GrainId.FromString("outage", Guid.NewGuid().ToString("N"));
        await journal.AppendAsync("orders", grain, 0, ["first"]);

        await fixture.Server.StopAsync();
        try
        {
            var error = await Assert.ThrowsAsync<PostgreSqlStorageException>(() => journal.AppendAsync("orders", grain, 1, ["second"]));
            Assert.Contains($"journal 'orders' of grain {grain}", error.Message);
        }
        finally
        {
            await fixture.Server.StartAsync();
        }

        Assert.Equal(2, await journal.AppendAsync("orders", grain, 1, ["second"]));
    }
}
