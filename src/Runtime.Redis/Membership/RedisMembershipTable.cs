using System.Collections.Immutable;
using System.Globalization;
using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.Redis.Resp;

namespace FleaMarket.Runtime.Redis.Membership;

/// <summary>
/// The membership table in Redis: one hash per cluster, <c>fleamarket:{clusterId}:membership</c>, with a
/// <c>version</c> field and one field per silo (its row as JSON). Writes are Lua scripts, so the
/// compare-and-swap on the version is atomic; reads are one HGETALL, so a snapshot is consistent.
/// While Redis is unreachable, calls fail with <see cref="RedisConnectionException"/> (retriable).
/// </summary>
public sealed class RedisMembershipTable : IMembershipTable
{
    private const string VersionField = "version";
    private readonly RedisConnection _connection;

    internal RedisMembershipTable(RedisConnection connection, string clusterId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        _connection = connection;
        Key = $"fleamarket:{clusterId}:membership";
    }

    /// <summary>The Redis key of the cluster's hash.</summary>
    public string Key { get; }

    /// <inheritdoc />
    public async Task<MembershipSnapshot> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        var fields = await _connection.HashGetAllAsync(Key, cancellationToken).ConfigureAwait(false);
        long version = 0;
        var entries = ImmutableArray.CreateBuilder<MembershipEntry>(fields.Count);
        foreach (var (field, value) in fields)
        {
            if (field == VersionField) version = long.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);
            else entries.Add(RedisMembershipRow.Deserialize(value));
        }

        entries.Sort((a, b) => a.Silo.CompareTo(b.Silo));
        return new MembershipSnapshot(version, entries.ToImmutable());
    }

    /// <inheritdoc />
    public Task<bool> TryInsertAsync(MembershipEntry entry, long newVersion, CancellationToken cancellationToken = default) =>
        WriteRowAsync(entry, newVersion, mustExist: false, cancellationToken);

    /// <inheritdoc />
    public Task<bool> TryUpdateAsync(MembershipEntry entry, long newVersion, CancellationToken cancellationToken = default) =>
        WriteRowAsync(entry, newVersion, mustExist: true, cancellationToken);

    /// <inheritdoc />
    public async Task UpdateIAmAliveAsync(SiloAddress silo, DateTimeOffset time, CancellationToken cancellationToken = default) =>
        await _connection.EvaluateAsync(
            RedisMembershipScripts.UpdateIAmAlive, [Key], [silo.ToString(), RedisMembershipRow.FormatTime(time)], cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<int> CleanupDefunctEntriesAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default)
    {
        var reply = await _connection.EvaluateAsync(
            RedisMembershipScripts.RemoveDefunct, [Key], [RedisMembershipRow.FormatTime(olderThan), (long)SiloStatus.Active], cancellationToken).ConfigureAwait(false);
        return (int)reply.AsInt64();
    }

    private async Task<bool> WriteRowAsync(MembershipEntry entry, long newVersion, bool mustExist, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var reply = await _connection.EvaluateAsync(
            RedisMembershipScripts.WriteRow,
            [Key],
            [entry.Silo.ToString(), RedisMembershipRow.Serialize(entry), newVersion, mustExist ? 1 : 0],
            cancellationToken).ConfigureAwait(false);
        return reply.AsInt64() == 1;
    }
}
