using Orleans.Runtime;
using Orleans.Storage;

namespace FleaMarket.Persistence.Tests.Schema;

/// <summary>
/// What Orleans' ADO.NET storage provider must do on our tables, driven through the provider itself: every kind of
/// grain key (a string key is the extension column; integer and Guid keys leave it NULL unless compound).
/// </summary>
internal static class GrainStorageChecks
{
    private static readonly GrainType s_grainType = GrainType.Create("schema-test-grain");

    public static TheoryData<string> KeyKinds => ["string", "integer", "guid", "integer+extension", "guid+extension"];

    public static GrainId NewGrainId(string keyKind) => keyKind switch
    {
        "string" => GrainId.Create(s_grainType, Guid.NewGuid().ToString("N")),
        "integer" => GrainId.Create(s_grainType, GrainIdKeyExtensions.CreateIntegerKey(Random.Shared.NextInt64())),
        "guid" => GrainId.Create(s_grainType, GrainIdKeyExtensions.CreateGuidKey(Guid.NewGuid())),
        "integer+extension" => GrainId.Create(s_grainType, GrainIdKeyExtensions.CreateIntegerKey(Random.Shared.NextInt64(), "ext")),
        "guid+extension" => GrainId.Create(s_grainType, GrainIdKeyExtensions.CreateGuidKey(Guid.NewGuid(), "ext")),
        _ => throw new ArgumentOutOfRangeException(nameof(keyKind), keyKind, null),
    };

    /// <summary>Write, read back, both kinds of ETag conflict, clear to a tombstone, write again.</summary>
    public static async Task WriteReadConflictClearAsync(IGrainStorage storage, GrainId grainId)
    {
        const string State = SchemaTestStorage.StateName;
        var first = new GrainState<CounterState>(new CounterState { Value = 7 });
        await storage.WriteStateAsync(State, grainId, first);
        Assert.Equal("1", first.ETag);

        var read = new GrainState<CounterState>();
        await storage.ReadStateAsync(State, grainId, read);
        Assert.True(read.RecordExists);
        Assert.Equal(7, read.State?.Value);
        Assert.Equal("1", read.ETag);

        // A writer that never saw the record must not overwrite it (the INSERT path)...
        var blind = new GrainState<CounterState>(new CounterState { Value = 99 });
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(State, grainId, blind));

        read.State = new CounterState { Value = 8 };
        await storage.WriteStateAsync(State, grainId, read);
        Assert.Equal("2", read.ETag);

        // ...nor one holding an older ETag (the UPDATE path), nor clear it.
        first.State = new CounterState { Value = 100 };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(State, grainId, first));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(State, grainId, first));

        await storage.ClearStateAsync(State, grainId, read);
        Assert.Equal("3", read.ETag);
        Assert.False(read.RecordExists);

        var cleared = new GrainState<CounterState>();
        await storage.ReadStateAsync(State, grainId, cleared);
        Assert.False(cleared.RecordExists);
        Assert.Equal("3", cleared.ETag);
        Assert.Equal(0, cleared.State?.Value);

        cleared.State = new CounterState { Value = 1 };
        await storage.WriteStateAsync(State, grainId, cleared);
        Assert.Equal("4", cleared.ETag);
    }
}
