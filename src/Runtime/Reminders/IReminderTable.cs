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

    /// <summary>
    /// Claims the tick due at <paramref name="due"/> for firing: atomically records it as the reminder's last
    /// fired tick if no tick at or after <paramref name="due"/> was claimed before. Of several silos that
    /// believe they own the grain while ownership moves, only one gets true for a given due time. False too
    /// if the reminder no longer exists. (Re-registering a reminder resets its claims.)
    /// </summary>
    Task<bool> TryClaimTickAsync(GrainId grainId, string name, DateTimeOffset due, CancellationToken cancellationToken = default);
}

/// <summary>Reminders kept in process memory; one instance shared by the silos of an in-process test cluster.</summary>
public sealed class InMemoryReminderTable : IReminderTable
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(GrainId, string), ReminderEntry> _entries = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(GrainId, string), DateTimeOffset> _lastClaimed = new();

    /// <inheritdoc />
    public Task<IReadOnlyList<ReminderEntry>> ReadAllAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ReminderEntry>>([.. _entries.Values]);

    /// <inheritdoc />
    public Task UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken = default)
    {
        lock (_entries)
        {
            _entries[(entry.GrainId, entry.Name)] = entry;
            _lastClaimed.TryRemove((entry.GrainId, entry.Name), out _);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<bool> RemoveAsync(GrainId grainId, string name, CancellationToken cancellationToken = default)
    {
        lock (_entries)
        {
            _lastClaimed.TryRemove((grainId, name), out _);
            return Task.FromResult(_entries.TryRemove((grainId, name), out _));
        }
    }

    /// <inheritdoc />
    public Task<bool> TryClaimTickAsync(GrainId grainId, string name, DateTimeOffset due, CancellationToken cancellationToken = default)
    {
        lock (_entries)
        {
            if (!_entries.ContainsKey((grainId, name))) return Task.FromResult(false);
            if (_lastClaimed.TryGetValue((grainId, name), out var last) && last >= due) return Task.FromResult(false);
            _lastClaimed[(grainId, name)] = due;
            return Task.FromResult(true);
        }
    }
}
