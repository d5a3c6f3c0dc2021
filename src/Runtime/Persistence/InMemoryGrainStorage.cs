using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;

namespace FleaMarket.Runtime.Persistence;

/// <summary>
/// Grain state kept in process memory, as serialized JSON so an activation never shares objects with
/// storage. For tests and an in-process test cluster (one instance shared by all its silos).
/// </summary>
public sealed class InMemoryGrainStorage : IGrainStorage
{
    private readonly ConcurrentDictionary<(string State, GrainId Grain), StoredRecord> _records = new();
    private long _nextETag;

    /// <summary>Largest accepted serialized state, in bytes. Default 1 MiB.</summary>
    public int MaxStateBytes { get; init; } = 1024 * 1024;

    /// <inheritdoc />
    public Task ReadStateAsync<TState>(string stateName, GrainId grainId, IGrainState<TState> grainState, CancellationToken cancellationToken)
    {
        if (_records.TryGetValue((stateName, grainId), out var record))
        {
            grainState.State = JsonSerializer.Deserialize<TState>(record.Payload)!;
            grainState.ETag = record.ETag;
            grainState.RecordExists = true;
        }
        else
        {
            grainState.ETag = null;
            grainState.RecordExists = false;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task WriteStateAsync<TState>(string stateName, GrainId grainId, IGrainState<TState> grainState, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(grainState.State);
        if (payload.Length > MaxStateBytes)
        {
            throw GrainStateTooLargeException.For(stateName, grainId, payload.Length, MaxStateBytes);
        }

        var etag = Interlocked.Increment(ref _nextETag).ToString(CultureInfo.InvariantCulture);
        var key = (stateName, grainId);
        var written = grainState.ETag is null
            ? _records.TryAdd(key, new StoredRecord(payload, etag))
            : _records.TryGetValue(key, out var current) && current.ETag == grainState.ETag
                && _records.TryUpdate(key, new StoredRecord(payload, etag), current);
        if (!written) throw Conflict(stateName, grainId, grainState.ETag);
        grainState.ETag = etag;
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task ClearStateAsync<TState>(string stateName, GrainId grainId, IGrainState<TState> grainState, CancellationToken cancellationToken)
    {
        var key = (stateName, grainId);
        if (_records.TryGetValue(key, out var current))
        {
            if (current.ETag != grainState.ETag || !_records.TryRemove(new KeyValuePair<(string, GrainId), StoredRecord>(key, current)))
            {
                throw Conflict(stateName, grainId, grainState.ETag);
            }
        }
        else if (grainState.ETag is not null)
        {
            throw Conflict(stateName, grainId, grainState.ETag);
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    private InconsistentStateException Conflict(string stateName, GrainId grainId, string? etag) => new(
        $"State '{stateName}' of {grainId} was changed by another writer (held ETag {etag ?? "none"}, stored {(_records.TryGetValue((stateName, grainId), out var r) ? r.ETag : "none")}).",
        _records.TryGetValue((stateName, grainId), out var stored) ? stored.ETag : null,
        etag);

    private sealed record StoredRecord(byte[] Payload, string ETag);
}
