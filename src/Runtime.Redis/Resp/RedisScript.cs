namespace FleaMarket.Runtime.Redis.Resp;

/// <summary>
/// A Lua script run with EVALSHA. Its SHA1 comes from SCRIPT LOAD on first use; after a server
/// restart or SCRIPT FLUSH the server answers NOSCRIPT and the script is sent once in full with EVAL,
/// which also caches it again.
/// </summary>
internal sealed class RedisScript(string source)
{
    private volatile string? _sha;

    public string Source { get; } = source;

    public async Task<RedisReply> EvaluateAsync(
        RedisConnection connection, IReadOnlyList<RedisValue> keys, IReadOnlyList<RedisValue> arguments, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var sha = _sha;
        if (sha is null)
        {
            var loaded = await connection.ExecuteAsync(["SCRIPT", "LOAD", Source], cancellationToken).ConfigureAwait(false);
            _sha = sha = loaded.AsString() ?? throw new RedisServerException("SCRIPT LOAD returned no SHA1.");
        }

        try
        {
            return await connection.ExecuteAsync(Command("EVALSHA", sha, keys, arguments), cancellationToken).ConfigureAwait(false);
        }
        catch (RedisServerException exception) when (exception.ErrorCode == "NOSCRIPT")
        {
            // NOSCRIPT means the script did not run, so sending it in full cannot run it twice.
            return await connection.ExecuteAsync(Command("EVAL", Source, keys, arguments), cancellationToken).ConfigureAwait(false);
        }
    }

    private static RedisValue[] Command(string verb, string script, IReadOnlyList<RedisValue> keys, IReadOnlyList<RedisValue> arguments)
    {
        var command = new RedisValue[3 + keys.Count + arguments.Count];
        command[0] = verb;
        command[1] = script;
        command[2] = keys.Count;
        for (var i = 0; i < keys.Count; i++) command[3 + i] = keys[i];
        for (var i = 0; i < arguments.Count; i++) command[3 + keys.Count + i] = arguments[i];
        return command;
    }
}
