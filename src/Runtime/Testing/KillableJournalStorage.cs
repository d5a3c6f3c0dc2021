using FleaMarket.Runtime.Persistence;

namespace FleaMarket.Runtime.Testing;

/// <summary>One test silo's handle on the shared journals; cut off together with its state storage when the silo is killed.</summary>
internal sealed class KillableJournalStorage(IJournalStorage inner, KillableGrainStorage silo) : IJournalStorage
{
    public Task<long> AppendAsync<TEvent>(string journalName, GrainId grainId, long expectedLength, IReadOnlyList<TEvent> events, CancellationToken cancellationToken = default)
    {
        silo.ThrowIfKilled();
        return inner.AppendAsync(journalName, grainId, expectedLength, events, cancellationToken);
    }

    public Task<IReadOnlyList<JournalEvent<TEvent>>> ReadAsync<TEvent>(string journalName, GrainId grainId, long afterPosition, int maxCount, CancellationToken cancellationToken = default)
    {
        silo.ThrowIfKilled();
        return inner.ReadAsync<TEvent>(journalName, grainId, afterPosition, maxCount, cancellationToken);
    }

    public Task<long> GetLengthAsync(string journalName, GrainId grainId, CancellationToken cancellationToken = default)
    {
        silo.ThrowIfKilled();
        return inner.GetLengthAsync(journalName, grainId, cancellationToken);
    }

    public Task WriteSnapshotAsync<TState>(string journalName, GrainId grainId, long position, TState state, CancellationToken cancellationToken = default)
    {
        silo.ThrowIfKilled();
        return inner.WriteSnapshotAsync(journalName, grainId, position, state, cancellationToken);
    }

    public Task<JournalSnapshot<TState>?> ReadSnapshotAsync<TState>(string journalName, GrainId grainId, CancellationToken cancellationToken = default)
    {
        silo.ThrowIfKilled();
        return inner.ReadSnapshotAsync<TState>(journalName, grainId, cancellationToken);
    }
}
