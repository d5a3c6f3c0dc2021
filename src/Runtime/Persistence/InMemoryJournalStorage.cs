using System.Collections.Concurrent;
using System.Text.Json;

namespace FleaMarket.Runtime.Persistence;

/// <summary>Journals kept in process memory as serialized JSON; for tests and the in-process test cluster.</summary>
public sealed class InMemoryJournalStorage : IJournalStorage
{
    private readonly ConcurrentDictionary<(string, GrainId), Journal> _journals = new();

    /// <inheritdoc />
    public Task<long> AppendAsync<TEvent>(string journalName, GrainId grainId, long expectedLength, IReadOnlyList<TEvent> events, CancellationToken cancellationToken = default)
    {
        var journal = _journals.GetOrAdd((journalName, grainId), static _ => new Journal());
        lock (journal)
        {
            if (journal.Events.Count != expectedLength)
            {
                throw new InconsistentStateException(
                    $"Journal '{journalName}' of {grainId} has {journal.Events.Count} events, not the {expectedLength} the writer expected.");
            }

            foreach (var e in events) journal.Events.Add(JsonSerializer.SerializeToUtf8Bytes(e));
            return Task.FromResult((long)journal.Events.Count);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<JournalEvent<TEvent>>> ReadAsync<TEvent>(string journalName, GrainId grainId, long afterPosition, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterPosition);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        if (!_journals.TryGetValue((journalName, grainId), out var journal)) return Task.FromResult<IReadOnlyList<JournalEvent<TEvent>>>([]);
        lock (journal)
        {
            IReadOnlyList<JournalEvent<TEvent>> events = [.. journal.Events
                .Skip((int)Math.Min(afterPosition, int.MaxValue))
                .Take(maxCount)
                .Select((bytes, i) => new JournalEvent<TEvent>(afterPosition + i + 1, JsonSerializer.Deserialize<TEvent>(bytes)!))];
            return Task.FromResult(events);
        }
    }

    /// <inheritdoc />
    public Task<long> GetLengthAsync(string journalName, GrainId grainId, CancellationToken cancellationToken = default)
    {
        if (!_journals.TryGetValue((journalName, grainId), out var journal)) return Task.FromResult(0L);
        lock (journal) return Task.FromResult((long)journal.Events.Count);
    }

    /// <inheritdoc />
    public Task WriteSnapshotAsync<TState>(string journalName, GrainId grainId, long position, TState state, CancellationToken cancellationToken = default)
    {
        var journal = _journals.GetOrAdd((journalName, grainId), static _ => new Journal());
        lock (journal)
        {
            if (position > journal.Events.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(position), $"Snapshot position {position} is past the end of the journal ({journal.Events.Count}).");
            }

            if (journal.Snapshot is null || position >= journal.Snapshot.Value.Position)
            {
                journal.Snapshot = (position, JsonSerializer.SerializeToUtf8Bytes(state));
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<JournalSnapshot<TState>?> ReadSnapshotAsync<TState>(string journalName, GrainId grainId, CancellationToken cancellationToken = default)
    {
        if (!_journals.TryGetValue((journalName, grainId), out var journal)) return Task.FromResult<JournalSnapshot<TState>?>(null);
        lock (journal)
        {
            return Task.FromResult(journal.Snapshot is { } s
                ? new JournalSnapshot<TState>(s.Position, JsonSerializer.Deserialize<TState>(s.Payload)!)
                : null);
        }
    }

    private sealed class Journal
    {
        public List<byte[]> Events { get; } = [];

        public (long Position, byte[] Payload)? Snapshot { get; set; }
    }
}
