using System.Collections.Immutable;

namespace FleaMarket.Runtime.Membership;

/// <summary>
/// A membership table in process memory: one instance shared by every silo of an in-process test
/// cluster (or the single silo of an embedded host). Thread-safe; every operation is atomic.
/// </summary>
public sealed class InMemoryMembershipTable : IMembershipTable
{
    private readonly Lock _gate = new();
    private ImmutableSortedDictionary<SiloAddress, MembershipEntry> _rows = ImmutableSortedDictionary<SiloAddress, MembershipEntry>.Empty;
    private long _version;

    /// <inheritdoc />
    public Task<MembershipSnapshot> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(new MembershipSnapshot(_version, [.. _rows.Values]));
        }
    }

    /// <inheritdoc />
    public Task<bool> TryInsertAsync(MembershipEntry entry, long newVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (newVersion != _version + 1 || _rows.ContainsKey(entry.Silo)) return Task.FromResult(false);
            _rows = _rows.Add(entry.Silo, entry);
            _version = newVersion;
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<bool> TryUpdateAsync(MembershipEntry entry, long newVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (newVersion != _version + 1 || !_rows.ContainsKey(entry.Silo)) return Task.FromResult(false);
            _rows = _rows.SetItem(entry.Silo, entry);
            _version = newVersion;
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task UpdateIAmAliveAsync(SiloAddress silo, DateTimeOffset time, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_rows.TryGetValue(silo, out var row))
            {
                _rows = _rows.SetItem(silo, row with { IAmAliveTime = time });
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<int> CleanupDefunctEntriesAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var defunct = _rows.Values
                .Where(r => r.Status != SiloStatus.Active && Max(r.IAmAliveTime, r.StartTime) < olderThan)
                .Select(r => r.Silo)
                .ToList();
            _rows = _rows.RemoveRange(defunct);
            return Task.FromResult(defunct.Count);
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
