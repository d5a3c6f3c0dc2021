using FleaMarket.Persistence.Journals;

namespace FleaMarket.Grains.Tests;

/// <summary>The silo's journal with a gate on appends, so a test can hold a listing's commit and see what queues behind it.</summary>
public sealed class GatedJournal(IJournalStorage inner, JournalGate gate) : IJournalStorage
{
    public async Task<long> AppendAsync<TEvent>(
        string journalName, string streamId, long expectedLength, IReadOnlyList<TEvent> events,
        IReadOnlyCollection<string>? tags = null, CancellationToken cancellationToken = default)
    {
        if (gate.Appends is { } held) await held;
        return await inner.AppendAsync(journalName, streamId, expectedLength, events, tags, cancellationToken);
    }

    public Task<IReadOnlyList<JournalEntry<TEvent>>> ReadAsync<TEvent>(
        string journalName, string streamId, long afterPosition, int maxCount, CancellationToken cancellationToken = default) =>
        inner.ReadAsync<TEvent>(journalName, streamId, afterPosition, maxCount, cancellationToken);

    public Task<IReadOnlyList<string>> FindStreamsAsync(string journalName, string tag, CancellationToken cancellationToken = default) =>
        inner.FindStreamsAsync(journalName, tag, cancellationToken);

    public Task<long> GetLengthAsync(string journalName, string streamId, CancellationToken cancellationToken = default) =>
        inner.GetLengthAsync(journalName, streamId, cancellationToken);
}

/// <summary>While <see cref="Appends"/> is an unfinished task, journal appends wait for it.</summary>
public sealed class JournalGate
{
    public Task? Appends { get; set; }
}
