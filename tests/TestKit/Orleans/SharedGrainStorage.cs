using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Providers;
using Orleans.Runtime;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;

namespace FleaMarket.TestKit.Orleans;

/// <summary>
/// Grain state for in-process test clusters that outlives any one silo: one store shared by every silo of the
/// cluster, as a database would be (Orleans' memory storage keeps state in grains, which die with a killed
/// silo). States are stored serialized with Orleans' serializer, so a type without a serializer fails here as
/// it would against a real engine, and ETags are checked like a real provider's. Writes are counted and can be
/// held at a gate, so a test can show that a call stored nothing, or keep a write in flight.
/// </summary>
public sealed class SharedGrainStore
{
    private readonly ConcurrentDictionary<GrainId, int> _writesByGrain = new();
    private int _writes;

    internal ConcurrentDictionary<(string State, GrainId Grain), (byte[] Payload, long Version)> Rows { get; } = new();

    /// <summary>Writes and clears of any grain's state so far, through any silo.</summary>
    public int Writes => Volatile.Read(ref _writes);

    /// <summary>While set, every write and clear waits for it before it stores anything: a test holds a write in flight.</summary>
    public Task? WriteGate { get; set; }

    /// <summary>Writes and clears of <paramref name="grainId"/>'s state so far: a test shows that a call stored nothing.</summary>
    public int WritesOf(GrainId grainId) => _writesByGrain.GetValueOrDefault(grainId);

    internal void CountWrite(GrainId grainId)
    {
        _writesByGrain.AddOrUpdate(grainId, 1, static (_, n) => n + 1);
        Interlocked.Increment(ref _writes);
    }
}

/// <summary>The <see cref="IGrainStorage"/> of one silo over a <see cref="SharedGrainStore"/>.</summary>
internal sealed class SharedGrainStorage(SharedGrainStore store, Serializer serializer) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (store.Rows.TryGetValue((stateName, grainId), out var row))
        {
            grainState.State = serializer.Deserialize<T>(row.Payload);
            grainState.ETag = row.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        }
        else
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
        }

        return Task.CompletedTask;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (store.WriteGate is { } gate) await gate;
        store.CountWrite(grainId);
        var payload = serializer.SerializeToArray(grainState.State);
        lock (store)
        {
            var current = store.Rows.TryGetValue((stateName, grainId), out var row) ? row.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
            if (current != grainState.ETag) throw new InconsistentStateException($"ETag mismatch for {stateName} of {grainId}", current, grainState.ETag);
            var version = row.Version + 1;
            store.Rows[(stateName, grainId)] = (payload, version);
            grainState.ETag = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        }
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (store.WriteGate is { } gate) await gate;
        store.CountWrite(grainId);
        lock (store)
        {
            store.Rows.TryRemove((stateName, grainId), out _);
            grainState.ETag = null;
            grainState.RecordExists = false;
            grainState.State = Activator.CreateInstance<T>();
        }
    }
}

/// <summary>Registration of <see cref="SharedGrainStorage"/>.</summary>
public static class SharedGrainStorageExtensions
{
    /// <summary>Makes <paramref name="store"/> this silo's default grain storage.</summary>
    public static ISiloBuilder AddSharedGrainStorageAsDefault(this ISiloBuilder silo, SharedGrainStore store)
    {
        silo.Services.AddGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, (sp, _) => new SharedGrainStorage(store, sp.GetRequiredService<Serializer>()));
        return silo;
    }
}
