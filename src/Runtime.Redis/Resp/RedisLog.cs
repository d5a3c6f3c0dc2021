using Microsoft.Extensions.Logging;

namespace FleaMarket.Runtime.Redis.Resp;

/// <summary>Source-generated logs of the Redis client.</summary>
internal static partial class RedisLog
{
    [LoggerMessage(5001, LogLevel.Information, "Connected to Redis at {Endpoint} (database {Database})")]
    public static partial void Connected(this ILogger logger, string endpoint, int database);

    [LoggerMessage(5002, LogLevel.Warning, "Connection to Redis at {Endpoint} closed; failing {InFlight} commands in flight and reconnecting")]
    public static partial void Disconnected(this ILogger logger, Exception? exception, string endpoint, int inFlight);

    [LoggerMessage(5003, LogLevel.Warning, "Connecting to Redis at {Endpoint} failed (attempt {Attempt}); retrying in {Backoff}")]
    public static partial void ConnectFailed(this ILogger logger, Exception exception, string endpoint, int attempt, TimeSpan backoff);
}
