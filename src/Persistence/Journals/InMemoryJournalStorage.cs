using System.Collections.Concurrent;

namespace FleaMarket.Persistence.Journals;

/// <summary>
/// Journals in process memory, serialized as the durable engines store them (so an event type that does not
/// round-trip through System.Text.Json fails here too). For tests and in-process test clusters; nothing survives the process.
/// </summary>
internal sealed class InMemoryJournalStorage : IJournalStorage
{
    // The silos of an in-process test cluster each have their own service container; sharing the journals of one
    // service id lets a grain that moves to another silo find its stream, as it would in a database.
    private static readonly ConcurrentDictionary<string, InMemoryJournalStorage> ByService = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<(string Journal, string Stream), List<byte[]>> _streams = new();
    private readonly ConcurrentDictionary<(string Journal, string Tag), ConcurrentDictionary<string, bool>> _tags = new();

    /// <summary>The journals of <paramref name="serviceId"/>, shared by everyone in this process who asks for the same id.</summary>
    public static InMemoryJournalStorage ForService(string serviceId) => ByService.GetOrAdd(serviceId, static _ => new InMemoryJournalStorage());

    public Task<long> AppendAsync<TEvent>(string journalName, string streamId, long expectedLength, IReadOnlyList<TEvent> events,
        IReadOnlyCollection<string>? tags = null, CancellationToken cancellationToken = default)
    {
        JournalRules.CheckAppend(journalName, streamId, expectedLength, events, tags);
        cancellationToken.ThrowIfCancellationRequested();
        var payloads = events.Select(JournalRules.Serialize).ToList();
        var stream = _streams.GetOrAdd((journalName, streamId), static _ => []);
        lock (stream)
        {
            if (stream.Count != expectedLength) throw JournalRules.Conflict(journalName, streamId, expectedLength, stream.Count);
            stream.AddRange(payloads);
            foreach (var tag in JournalRules.Distinct(tags)) _tags.GetOrAdd((journalName, tag), static _ => new(StringComparer.Ordinal))[streamId] = true;
            return Task.FromResult((long)stream.Count);
        }
    }

    public Task<IReadOnlyList<JournalEntry<TEvent>>> ReadAsync<TEvent>(string journalName, string streamId, long afterPosition, int maxCount, CancellationToken cancellationToken = default)
    {
        JournalRules.CheckRead(journalName, streamId, afterPosition, maxCount);
        if (!_streams.TryGetValue((journalName, streamId), out var stream)) return Task.FromResult<IReadOnlyList<JournalEntry<TEvent>>>([]);
        lock (stream)
        {
            IReadOnlyList<JournalEntry<TEvent>> entries = [.. stream
                .Skip((int)Math.Min(afterPosition, int.MaxValue))
                .Take(maxCount)
                .Select((payload, i) => new JournalEntry<TEvent>(afterPosition + i + 1, JournalRules.Deserialize<TEvent>(payload)))];
            return Task.FromResult(entries);
        }
    }

    public Task<IReadOnlyList<string>> FindStreamsAsync(string journalName, string tag, CancellationToken cancellationToken = default)
    {
        JournalRules.CheckFind(journalName, tag);
        IReadOnlyList<string> streams = _tags.TryGetValue((journalName, tag), out var tagged) ? [.. tagged.Keys.Order(StringComparer.Ordinal)] : [];
        return Task.FromResult(streams);
    }

    public Task<long> GetLengthAsync(string journalName, string streamId, CancellationToken cancellationToken = default)
    {
        JournalRules.CheckStream(journalName, streamId);
        if (!_streams.TryGetValue((journalName, streamId), out var stream)) return Task.FromResult(0L);
        lock (stream) return Task.FromResult((long)stream.Count);
    }
}
