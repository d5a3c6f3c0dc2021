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
/// it would against a real engine, and ETags are checked like a real provider's.
/// </summary>
public sealed class SharedGrainStore
{
    internal ConcurrentDictionary<(string State, GrainId Grain), (byte[] Payload, long Version)> Rows { get; } = new();
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

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
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

        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        lock (store)
        {
            store.Rows.TryRemove((stateName, grainId), out _);
            grainState.ETag = null;
            grainState.RecordExists = false;
            grainState.State = Activator.CreateInstance<T>();
        }

        return Task.CompletedTask;
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
