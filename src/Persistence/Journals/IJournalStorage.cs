using Orleans.Storage;

namespace FleaMarket.Persistence.Journals;

/// <summary>
/// Append-only event streams, for grains whose history grows without bound (the orders of a listing); Orleans
/// has nothing like it. A stream is named by a journal name (what is recorded, e.g. "orders") and a stream id
/// (whose, e.g. a listing id). Appending costs the same however long the stream is, and every append is a
/// compare-and-swap on the stream's length, so two activations of one grain can never both append at the
/// same position. Events are stored as System.Text.Json UTF-8. When the engine is unreachable or fails, every
/// method throws <see cref="StorageUnavailableException"/>.
/// </summary>
public interface IJournalStorage
{
    /// <summary>
    /// Appends <paramref name="events"/> in one transaction if the stream holds exactly
    /// <paramref name="expectedLength"/> events, and returns the new length. Otherwise throws
    /// <see cref="InconsistentStateException"/> and appends nothing. Each of <paramref name="tags"/> labels the stream
    /// in the same transaction (a set: a tag given again is kept once), for <see cref="FindStreamsAsync"/>; a failed
    /// append adds none. The task completes only once the events and tags are durable.
    /// </summary>
    Task<long> AppendAsync<TEvent>(string journalName, string streamId, long expectedLength, IReadOnlyList<TEvent> events,
        IReadOnlyCollection<string>? tags = null, CancellationToken cancellationToken = default);

    /// <summary>Reads up to <paramref name="maxCount"/> events with a position greater than <paramref name="afterPosition"/>, in order.</summary>
    Task<IReadOnlyList<JournalEntry<TEvent>>> ReadAsync<TEvent>(string journalName, string streamId, long afterPosition, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>The streams of <paramref name="journalName"/> an append labelled with <paramref name="tag"/>, ordered by stream id (ordinal).</summary>
    Task<IReadOnlyList<string>> FindStreamsAsync(string journalName, string tag, CancellationToken cancellationToken = default);

    /// <summary>The number of events in the stream; 0 for a stream nothing was appended to.</summary>
    Task<long> GetLengthAsync(string journalName, string streamId, CancellationToken cancellationToken = default);
}
