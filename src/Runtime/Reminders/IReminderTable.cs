namespace FleaMarket.Runtime.Reminders;

/// <summary>A durable reminder: fires first at <see cref="FirstDue"/>, then every <see cref="Period"/>.</summary>
public sealed record ReminderEntry(GrainId GrainId, string Name, DateTimeOffset FirstDue, TimeSpan Period);

/// <summary>Where reminders are stored: in memory for tests, the state engine (SQLite, PostgreSQL) in production.</summary>
public interface IReminderTable
{
    /// <summary>Every reminder of the cluster.</summary>
    Task<IReadOnlyList<ReminderEntry>> ReadAllAsync(CancellationToken cancellationToken = default);

    /// <summary>Adds or replaces the reminder (grain, name).</summary>
    Task UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Removes the reminder (grain, name); false if it did not exist.</summary>
    Task<bool> RemoveAsync(GrainId grainId, string name, CancellationToken cancellationToken = default);
}

/// <summary>Reminders kept in process memory; one instance shared by the silos of an in-process test cluster.</summary>
public sealed class InMemoryReminderTable : IReminderTable
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(GrainId, string), ReminderEntry> _entries = new();

    /// <inheritdoc />
    public Task<IReadOnlyList<ReminderEntry>> ReadAllAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ReminderEntry>>([.. _entries.Values]);

    /// <inheritdoc />
    public Task UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken = default)
    {
        _entries[(entry.GrainId, entry.Name)] = entry;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<bool> RemoveAsync(GrainId grainId, string name, CancellationToken cancellationToken = default) =>
        Task.FromResult(_entries.TryRemove((grainId, name), out _));
}
