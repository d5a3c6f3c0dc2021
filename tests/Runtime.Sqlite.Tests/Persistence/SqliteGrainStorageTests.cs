using FleaMarket.Runtime.Persistence;
using FleaMarket.Runtime.Sqlite.Persistence;
using FleaMarket.TestKit.Persistence;
using Microsoft.Extensions.Logging.Abstractions;

namespace FleaMarket.Runtime.Sqlite.Tests.Persistence;

public sealed class SqliteGrainStorageTests(SqliteFixture fixture) : GrainStorageConformanceTests, IClassFixture<SqliteFixture>
{
    protected override Task<IGrainStorage> CreateStorageAsync(int maxStateBytes = 64 * 1024) =>
        Task.FromResult<IGrainStorage>(new SqliteGrainStorage(fixture.Shared, "conformance", maxStateBytes, NullLogger.Instance));

    [Fact]
    public async Task Read_AfterReopeningTheFile_ReturnsWhatTheClosedProviderWrote()
    {
        var path = fixture.NewPath();
        var grain = NewGrain();
        var first = fixture.Open(path);
        var written = new TestGrainState { State = new StoredValue { Value = 42, Name = "kept" } };
        await new SqliteGrainStorage(first, "svc", 1024, NullLogger.Instance).WriteStateAsync("counter", grain, written, CancellationToken.None);
        await first.DisposeAsync();

        var read = new TestGrainState();
        await new SqliteGrainStorage(fixture.Open(path), "svc", 1024, NullLogger.Instance).ReadStateAsync("counter", grain, read, CancellationToken.None);
        Assert.True(read.RecordExists);
        Assert.Equal(42, read.State.Value);
        Assert.Equal(written.ETag, read.ETag);
    }

    [Fact]
    public async Task Write_ETagHeldBeforeClearAndRecreate_Throws()
    {
        var storage = await CreateStorageAsync();
        var grain = NewGrain();
        var state = new TestGrainState { State = new StoredValue { Value = 1 } };
        await storage.WriteStateAsync("counter", grain, state, CancellationToken.None);
        var beforeClear = state.ETag;
        await storage.ClearStateAsync("counter", grain, state, CancellationToken.None);
        await storage.WriteStateAsync("counter", grain, new TestGrainState(), CancellationToken.None);

        var stale = new TestGrainState { ETag = beforeClear, RecordExists = true };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("counter", grain, stale, CancellationToken.None));
    }

    [Fact]
    public async Task Read_OtherServiceId_DoesNotSeeTheRecord()
    {
        var grain = NewGrain();
        await new SqliteGrainStorage(fixture.Shared, "service-a", 1024, NullLogger.Instance)
            .WriteStateAsync("counter", grain, new TestGrainState { State = new StoredValue { Value = 3 } }, CancellationToken.None);
        var read = new TestGrainState();
        await new SqliteGrainStorage(fixture.Shared, "service-b", 1024, NullLogger.Instance).ReadStateAsync("counter", grain, read, CancellationToken.None);
        Assert.False(read.RecordExists);
    }

    [Fact]
    public async Task Write_UnknownETagFormat_ThrowsInconsistentState()
    {
        var storage = await CreateStorageAsync();
        var grain = NewGrain();
        await storage.WriteStateAsync("counter", grain, new TestGrainState(), CancellationToken.None);
        await Assert.ThrowsAsync<InconsistentStateException>(
            () => storage.WriteStateAsync("counter", grain, new TestGrainState { ETag = "W/\"abc\"" }, CancellationToken.None));
    }
}
