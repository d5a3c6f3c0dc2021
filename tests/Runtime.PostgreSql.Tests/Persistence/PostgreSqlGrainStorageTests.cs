using FleaMarket.Runtime.Persistence;
using FleaMarket.Runtime.PostgreSql.Persistence;
using FleaMarket.TestKit.Persistence;

namespace FleaMarket.Runtime.PostgreSql.Tests.Persistence;

[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlGrainStorageTests(PostgreSqlFixture fixture) : GrainStorageConformanceTests
{
    protected override Task<IGrainStorage> CreateStorageAsync(int maxStateBytes = 64 * 1024) =>
        Task.FromResult<IGrainStorage>(new PostgreSqlGrainStorage(fixture.Database, "conformance", maxStateBytes));

    [Fact]
    public async Task Write_ETagFromBeforeAClear_ThrowsEvenAfterTheRecordIsWrittenAgain()
    {
        var storage = await CreateStorageAsync();
        var grain = NewGrain();
        var old = new TestGrainState { State = new StoredValue { Value = 1 } };
        await storage.WriteStateAsync("counter", grain, old, CancellationToken.None);
        var cleared = new TestGrainState { ETag = old.ETag, RecordExists = true };
        await storage.ClearStateAsync("counter", grain, cleared, CancellationToken.None);
        await storage.WriteStateAsync("counter", grain, new TestGrainState { State = new StoredValue { Value = 2 } }, CancellationToken.None);

        // The new record must not reuse the ETag an activation may still hold from before the clear.
        old.State = new StoredValue { Value = 99 };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("counter", grain, old, CancellationToken.None));
        var read = new TestGrainState();
        await storage.ReadStateAsync("counter", grain, read, CancellationToken.None);
        Assert.Equal(2, read.State.Value);
    }

    [Fact]
    public async Task Write_SameGrainInTwoServices_AreSeparateRecords()
    {
        var grain = NewGrain();
        var a = new PostgreSqlGrainStorage(fixture.Database, "service-a", 1024);
        var b = new PostgreSqlGrainStorage(fixture.Database, "service-b", 1024);
        await a.WriteStateAsync("counter", grain, new TestGrainState { State = new StoredValue { Value = 1 } }, CancellationToken.None);

        var read = new TestGrainState();
        await b.ReadStateAsync("counter", grain, read, CancellationToken.None);
        Assert.False(read.RecordExists);
        await b.WriteStateAsync("counter", grain, new TestGrainState { State = new StoredValue { Value = 2 } }, CancellationToken.None);
    }

    [Fact]
    public async Task Write_ETagNotIssuedByProvider_ThrowsInconsistentState()
    {
        var storage = await CreateStorageAsync();
        var grain = NewGrain();
        await storage.WriteStateAsync("counter", grain, new TestGrainState(), CancellationToken.None);
        await Assert.ThrowsAsync<InconsistentStateException>(() =>
            storage.WriteStateAsync("counter", grain, new TestGrainState { ETag = "W/\"abc\"", RecordExists = true }, CancellationToken.None));
    }
}
