namespace FleaMarket.Runtime.Persistence;

/// <summary>One event of a grain's journal, with its 1-based position in the journal.</summary>
public sealed record JournalEvent<TEvent>(long Position, TEvent Event);

/// <summary>A grain's state as of the first <see cref="Position"/> events of its journal.</summary>
public sealed record JournalSnapshot<TState>(long Position, TState State);

/// <summary>
/// An append-only journal per (journal name, grain): for grains whose history grows without bound (the
/// orders of a listing). Appending costs the same however long the journal is; a grain recovers from its
/// latest snapshot plus the events after it. Every append is a compare-and-swap on the journal length, so
/// two activations of one grain can never both append at the same position.
/// </summary>
public interface IJournalStorage
{
    /// <summary>
    /// Appends <paramref name="events"/> in one transaction if the journal holds exactly
    /// <paramref name="expectedLength"/> events; returns the new length. Otherwise throws
    /// <see cref="InconsistentStateException"/> and appends nothing.
    /// </summary>
    Task<long> AppendAsync<TEvent>(string journalName, GrainId grainId, long expectedLength, IReadOnlyList<TEvent> events, CancellationToken cancellationToken = default);

    /// <summary>Reads up to <paramref name="maxCount"/> events with position greater than <paramref name="afterPosition"/>, in order.</summary>
    Task<IReadOnlyList<JournalEvent<TEvent>>> ReadAsync<TEvent>(string journalName, GrainId grainId, long afterPosition, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>The number of events in the journal (0 if it does not exist).</summary>
    Task<long> GetLengthAsync(string journalName, GrainId grainId, CancellationToken cancellationToken = default);

    /// <summary>Stores a snapshot of the state after the first <paramref name="position"/> events, replacing an older one.</summary>
    Task WriteSnapshotAsync<TState>(string journalName, GrainId grainId, long position, TState state, CancellationToken cancellationToken = default);

    /// <summary>The latest snapshot, or null.</summary>
    Task<JournalSnapshot<TState>?> ReadSnapshotAsync<TState>(string journalName, GrainId grainId, CancellationToken cancellationToken = default);
}
