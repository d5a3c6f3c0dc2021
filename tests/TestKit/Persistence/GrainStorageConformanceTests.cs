using FleaMarket.Runtime;
using FleaMarket.Runtime.Persistence;

namespace FleaMarket.TestKit.Persistence;

/// <summary>
/// What every grain storage provider must do. Derive once per engine; each test uses fresh grain ids.
/// </summary>
public abstract class GrainStorageConformanceTests
{
    /// <summary>The provider under test, configured to reject states larger than <paramref name="maxStateBytes"/>.</summary>
    protected abstract Task<IGrainStorage> CreateStorageAsync(int maxStateBytes = 64 * 1024);

    protected static GrainId NewGrain() => GrainId.FromString("conformance", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Read_MissingRecord_LeavesNewStateWithoutETag()
    {
        var storage = await CreateStorageAsync();
        var state = new TestGrainState();
        await storage.ReadStateAsync("counter", NewGrain(), state, CancellationToken.None);
        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.Equal(0, state.State.Value);
    }

    [Fact]
    public async Task Write_ThenRead_ReturnsStateAndETag()
    {
        var storage = await CreateStorageAsync();
        var grain = NewGrain();
        var written = new TestGrainState { State = new StoredValue { Value = 7, Name = "lamp ✨", Tags = ["a", "b"] } };
        await storage.WriteStateAsync("counter", grain, written, CancellationToken.None);
        Assert.NotNull(written.ETag);
        Assert.True(written.RecordExists);

        var read = new TestGrainState();
        await storage.ReadStateAsync("counter", grain, read, CancellationToken.None);
        Assert.Equal(7, read.State.Value);
        Assert.Equal("lamp ✨", read.State.Name);
        Assert.Equal(["a", "b"], read.State.Tags);
        Assert.Equal(written.ETag, read.ETag);
        Assert.True(read.RecordExists);
    }

    [Fact]
    public async Task Write_SameGrainDifferentStateNames_AreSeparateRecords()
    {
        var storage = await CreateStorageAsync();
        var grain = NewGrain();
        await storage.WriteStateAsync("a", grain, new TestGrainState { State = new StoredValue { Value = 1 } }, CancellationToken.None);
        await storage.WriteStateAsync("b", grain, new TestGrainState { State = new StoredValue { Value = 2 } }, CancellationToken.None);
        var read = new TestGrainState();
        await storage.ReadStateAsync("a", grain, read, CancellationToken.None);
        Assert.Equal(1, read.State.Value);
    }

    [Fact]
    public async Task Write_StaleETag_ThrowsAndKeepsStoredState()
    {
        var storage = await CreateStorageAsync();
        var grain = NewGrain();
        var first = new TestGrainState { State = new StoredValue { Value = 1 } };
        await storage.WriteStateAsync("counter", grain, first, CancellationToken.None);
        var stale = new TestGrainState { State = new StoredValue { Value = 99 }, ETag = first.ETag, RecordExists = true };
        first.State = new StoredValue { Value = 2 };
        await storage.WriteStateAsync("counter", grain, first, CancellationToken.None);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("counter", grain, stale, CancellationToken.None));
        var read = new TestGrainState();
        await storage.ReadStateAsync("counter", grain, read, CancellationToken.None);
        Assert.Equal(2, read.State.Value);
    }

    [Fact]
    public async Task Write_NoETagWhenRecordExists_Throws()
    {
        var storage = await CreateStorageAsync();
        var grain = NewGrain();
        await storage.WriteStateAsync("counter", grain, new TestGrainState { State = new StoredValue { Value = 1 } }, CancellationToken.None);
        await Assert.ThrowsAsync<InconsistentStateException>(
            () => storage.WriteStateAsync("counter", grain, new TestGrainState { State = new StoredValue { Value = 5 } }, CancellationToken.None));
    }

    [Fact]
    public async Task Clear_StaleETag_ThrowsAndKeepsRecord()
    {
        var storage = await CreateStorageAsync();
        var grain = NewGrain();
        var state = new TestGrainState { State = new StoredValue { Value = 1 } };
        await storage.WriteStateAsync("counter", grain, state, CancellationToken.None);
        var staleETag = state.ETag;
        await storage.WriteStateAsync("counter", grain, state, CancellationToken.None);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(
            "counter", grain, new TestGrainState { ETag = staleETag, RecordExists = true }, CancellationToken.None));
        var read = new TestGrainState();
        await storage.ReadStateAsync("counter", grain, read, CancellationToken.None);
        Assert.True(read.RecordExists);
    }

    [Fact]
    public async Task Clear_CurrentETag_RemovesRecordAndAllowsNewWrite()
    {
        var storage = await CreateStorageAsync();
        var grain = NewGrain();
        var state = new TestGrainState { State = new StoredValue { Value = 1 } };
        await storage.WriteStateAsync("counter", grain, state, CancellationToken.None);
        await storage.ClearStateAsync("counter", grain, state, CancellationToken.None);
        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);

        var read = new TestGrainState();
        await storage.ReadStateAsync("counter", grain, read, CancellationToken.None);
        Assert.False(read.RecordExists);
        await storage.WriteStateAsync("counter", grain, new TestGrainState { State = new StoredValue { Value = 3 } }, CancellationToken.None);
    }

    [Fact]
    public async Task Write_ConcurrentWritersFromOneVersion_ExactlyOneWinsEachRound()
    {
        var storage = await CreateStorageAsync();
        var grain = NewGrain();
        var seed = new TestGrainState();
        await storage.WriteStateAsync("counter", grain, seed, CancellationToken.None);
        for (var round = 0; round < 5; round++)
        {
            var current = new TestGrainState();
            await storage.ReadStateAsync("counter", grain, current, CancellationToken.None);
            var writers = Enumerable.Range(0, 20).Select(i => new TestGrainState
            {
                State = new StoredValue { Value = i },
                ETag = current.ETag,
                RecordExists = true,
            }).ToList();
            var outcomes = await Task.WhenAll(writers.Select(async w =>
            {
                try
                {
                    await storage.WriteStateAsync("counter", grain, w, CancellationToken.None);
                    return true;
                }
                catch (InconsistentStateException)
                {
                    return false;
                }
            }));
            Assert.Equal(1, outcomes.Count(won => won));
        }
    }

    [Fact]
    public async Task Write_StateOverLimit_RejectedWithClearErrorAndNothingStored()
    {
        var storage = await CreateStorageAsync(maxStateBytes: 4096);
        var grain = NewGrain();
        var huge = new TestGrainState { State = new StoredValue { Name = new string('x', 10_000) } };
        var error = await Assert.ThrowsAsync<GrainStateTooLargeException>(() => storage.WriteStateAsync("counter", grain, huge, CancellationToken.None));
        Assert.Contains("4096", error.Message);
        var read = new TestGrainState();
        await storage.ReadStateAsync("counter", grain, read, CancellationToken.None);
        Assert.False(read.RecordExists);
    }

    public sealed class StoredValue
    {
        public int Value { get; set; }
        public string Name { get; set; } = "";
        public List<string> Tags { get; set; } = [];
    }

    public sealed class TestGrainState : IGrainState<StoredValue>
    {
        public StoredValue State { get; set; } = new();
        public string? ETag { get; set; }
        public bool RecordExists { get; set; }
    }
}
