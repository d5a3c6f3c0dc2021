using System.Collections.Concurrent;
using FleaMarket.Grains;
using Microsoft.Extensions.Options;

namespace FleaMarket.Api.Auth;

/// <summary>
/// Live sessions this API node has just seen, so a buyer's burst of purchases at a drop does not cost a session-grain
/// round trip per request. An entry lives <see cref="ApiOptions.SessionCacheDuration"/> (seconds) and is dropped at
/// once when the session ends anywhere: the session grain revokes it through <see cref="ISessionRevocationGrain"/>,
/// whose observer this is. Only positive answers are kept: an unknown or ended token always asks the grain.
/// </summary>
/// <remarks>
/// What the lifetime bounds: a node the revocation cannot reach (cut off, or registered with a hub lost with its
/// silo) accepts an ended token for at most that long; a session's sliding expiry moves at most that late.
/// </remarks>
internal sealed class SessionCache(IOptions<ApiOptions> options, TimeProvider time) : ISessionRevocationObserver
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeSpan _duration = options.Value.SessionCacheDuration;
    private readonly int _capacity = options.Value.SessionCacheCapacity;

    public bool Enabled => _duration > TimeSpan.Zero;

    public int Count => _entries.Count;

    /// <summary>The user of a session seen live within the cache's lifetime, or null.</summary>
    public UserProfile? Find(string sessionKey)
    {
        if (!_entries.TryGetValue(sessionKey, out var entry)) return null;
        if (time.GetUtcNow() < entry.Until) return entry.User;
        _entries.TryRemove(new KeyValuePair<string, Entry>(sessionKey, entry));
        return null;
    }

    /// <summary>Remembers a session the grain just confirmed live.</summary>
    public void Add(string sessionKey, UserProfile user)
    {
        if (!Enabled) return;
        var now = time.GetUtcNow();
        if (_entries.Count >= _capacity) Sweep(now);
        // Still full of live entries: serve this one through the grain rather than grow without bound.
        if (_entries.Count >= _capacity) return;
        _entries[sessionKey] = new Entry(user, now + _duration);
    }

    public void Remove(string sessionKey) => _entries.TryRemove(sessionKey, out _);

    public Task Revoked(string sessionKey)
    {
        Remove(sessionKey);
        return Task.CompletedTask;
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (key, entry) in _entries)
        {
            if (now >= entry.Until) _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
        }
    }

    private sealed record Entry(UserProfile User, DateTimeOffset Until);
}
