using FleaMarket.Runtime;
using FleaMarket.Runtime.Persistence;

namespace FleaMarket.Grains.Tests.Listings;

/// <summary>
/// A journal whose appends wait at a gate the test opens, and which counts appends and events, so a test can
/// hold one write in flight while purchases queue up behind it — or make the next append fail.
/// </summary>
public sealed class GatedJournal(IJournalStorage inner) : IJournalStorage
{
    private TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _appends;
    private int _events;

    public int Appends => Volatile.Read(ref _appends);

    public int Events => Volatile.Read(ref _events);

    /// <summary>Set to fail appends of this many events or more (nothing is written).</summary>
    public Exception? FailNext { get; set; }

    public TaskCompletionSource<int> FirstAppendStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Open() => _gate.TrySetResult();

    public void Close() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<long> AppendAsync<TEvent>(string journalName, GrainId grainId, long expectedLength, IReadOnlyList<TEvent> events, CancellationToken cancellationToken = default)
    {
        FirstAppendStarted.TrySetResult(events.Count);
        await _gate.Task.WaitAsync(cancellationToken);
        if (FailNext is { } failure)
        {
            FailNext = null;
            throw failure;
        }

        Interlocked.Increment(ref _appends);
        Interlocked.Add(ref _events, events.Count);
        return await inner.AppendAsync(journalName, grainId, expectedLength, events, cancellationToken);
    }

    public Task<IReadOnlyList<JournalEvent<TEvent>>> ReadAsync<TEvent>(string journalName, GrainId grainId, long afterPosition, int maxCount, CancellationToken cancellationToken = default) =>
        inner.ReadAsync<TEvent>(journalName, grainId, afterPosition, maxCount, cancellationToken);

    public Task<long> GetLengthAsync(string journalName, GrainId grainId, CancellationToken cancellationToken = default) =>
        inner.GetLengthAsync(journalName, grainId, cancellationToken);

    public Task WriteSnapshotAsync<TState>(string journalName, GrainId grainId, long position, TState state, CancellationToken cancellationToken = default) =>
        inner.WriteSnapshotAsync(journalName, grainId, position, state, cancellationToken);

    public Task<JournalSnapshot<TState>?> ReadSnapshotAsync<TState>(string journalName, GrainId grainId, CancellationToken cancellationToken = default) =>
        inner.ReadSnapshotAsync<TState>(journalName, grainId, cancellationToken);
}
