namespace FleaMarket.Runtime.Redis.Resp;

/// <summary>Typed helpers for the few commands the runtime uses; anything else goes through ExecuteAsync.</summary>
internal static class RedisCommands
{
    public static async Task<string?> PingAsync(this RedisConnection connection, CancellationToken cancellationToken = default) =>
        (await connection.ExecuteAsync(["PING"], cancellationToken).ConfigureAwait(false)).AsString();

    /// <summary>Every field and value of a hash, read atomically; empty if the key does not exist.</summary>
    public static async Task<IReadOnlyList<KeyValuePair<string, string>>> HashGetAllAsync(
        this RedisConnection connection, string key, CancellationToken cancellationToken = default)
    {
        var reply = await connection.ExecuteAsync(["HGETALL", key], cancellationToken).ConfigureAwait(false);
        var items = reply.Items;
        var pairs = new KeyValuePair<string, string>[items.Count / 2];
        for (var i = 0; i < pairs.Length; i++)
        {
            pairs[i] = new(items[2 * i].AsString() ?? "", items[(2 * i) + 1].AsString() ?? "");
        }

        return pairs;
    }

    public static async Task<string?> HashGetAsync(this RedisConnection connection, string key, string field, CancellationToken cancellationToken = default) =>
        (await connection.ExecuteAsync(["HGET", key, field], cancellationToken).ConfigureAwait(false)).AsString();

    /// <summary>Sets one field; returns true if the field is new.</summary>
    public static async Task<bool> HashSetAsync(this RedisConnection connection, string key, string field, RedisValue value, CancellationToken cancellationToken = default) =>
        (await connection.ExecuteAsync(["HSET", key, field, value], cancellationToken).ConfigureAwait(false)).Integer == 1;

    /// <summary>Removes fields; returns how many existed.</summary>
    public static async Task<long> HashDeleteAsync(this RedisConnection connection, string key, string field, CancellationToken cancellationToken = default) =>
        (await connection.ExecuteAsync(["HDEL", key, field], cancellationToken).ConfigureAwait(false)).Integer;

    /// <summary>Deletes a key; returns true if it existed.</summary>
    public static async Task<bool> DeleteAsync(this RedisConnection connection, string key, CancellationToken cancellationToken = default) =>
        (await connection.ExecuteAsync(["DEL", key], cancellationToken).ConfigureAwait(false)).Integer == 1;

    /// <summary>Sets a time to live (milliseconds precision); returns false if the key does not exist.</summary>
    public static async Task<bool> ExpireAsync(this RedisConnection connection, string key, TimeSpan timeToLive, CancellationToken cancellationToken = default) =>
        (await connection.ExecuteAsync(["PEXPIRE", key, (long)timeToLive.TotalMilliseconds], cancellationToken).ConfigureAwait(false)).Integer == 1;

    /// <summary>Runs a script; see <see cref="RedisScript"/> for how it survives a flushed script cache.</summary>
    public static Task<RedisReply> EvaluateAsync(
        this RedisConnection connection, RedisScript script, IReadOnlyList<RedisValue> keys, IReadOnlyList<RedisValue> arguments, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(script);
        return script.EvaluateAsync(connection, keys, arguments, cancellationToken);
    }
}
