using FleaMarket.Persistence.Journals;

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

    /// <summary>While set, every append fails with it (nothing is written).</summary>
    public Exception? Failure { get; set; }

    public TaskCompletionSource<int> FirstAppendStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Open() => _gate.TrySetResult();

    public void Close() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<long> AppendAsync<TEvent>(string journalName, string streamId, long expectedLength, IReadOnlyList<TEvent> events,
        IReadOnlyCollection<string>? tags = null, CancellationToken cancellationToken = default)
    {
        FirstAppendStarted.TrySetResult(events.Count);
        await _gate.Task.WaitAsync(cancellationToken);
        if (Failure is { } failure) throw failure;

        Interlocked.Increment(ref _appends);
        Interlocked.Add(ref _events, events.Count);
        return await inner.AppendAsync(journalName, streamId, expectedLength, events, tags, cancellationToken);
    }

    public Task<IReadOnlyList<JournalEntry<TEvent>>> ReadAsync<TEvent>(string journalName, string streamId, long afterPosition, int maxCount, CancellationToken cancellationToken = default) =>
        inner.ReadAsync<TEvent>(journalName, streamId, afterPosition, maxCount, cancellationToken);

    public Task<IReadOnlyList<string>> FindStreamsAsync(string journalName, string tag, CancellationToken cancellationToken = default) =>
        inner.FindStreamsAsync(journalName, tag, cancellationToken);

    public Task<long> GetLengthAsync(string journalName, string streamId, CancellationToken cancellationToken = default) =>
        inner.GetLengthAsync(journalName, streamId, cancellationToken);
}
