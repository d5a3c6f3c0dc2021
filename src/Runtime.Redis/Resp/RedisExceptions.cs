namespace FleaMarket.Runtime.Redis.Resp;

/// <summary>Base of every error the Redis client raises.</summary>
public class RedisException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RedisException() { }

    /// <summary>Creates the exception.</summary>
    public RedisException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public RedisException(string message, Exception? innerException) : base(message, innerException) { }
}

/// <summary>
/// The server answered with an error reply (e.g. WRONGTYPE, NOSCRIPT, WRONGPASS). The command reached
/// the server and was rejected: retrying it unchanged fails the same way.
/// </summary>
public sealed class RedisServerException : RedisException
{
    /// <summary>Creates the exception.</summary>
    public RedisServerException() : this("ERR") { }

    /// <summary>Creates the exception from the server's error text.</summary>
    public RedisServerException(string serverMessage) : base($"Redis replied with an error: {serverMessage}") =>
        ServerMessage = serverMessage;

    /// <summary>Creates the exception.</summary>
    public RedisServerException(string message, Exception? innerException) : base(message, innerException) => ServerMessage = message;

    /// <summary>The error text as the server sent it, e.g. "NOSCRIPT No matching script".</summary>
    public string ServerMessage { get; } = "";

    /// <summary>The first word of the error text, e.g. "WRONGTYPE" or "NOSCRIPT".</summary>
    public string ErrorCode => ServerMessage.Split(' ', 2)[0];
}

/// <summary>
/// Retriable: there was no connection within the connect timeout, or the connection dropped while the
/// command was in flight (it may or may not have run). The client reconnects on its own.
/// </summary>
public sealed class RedisConnectionException : RedisException
{
    /// <summary>Creates the exception.</summary>
    public RedisConnectionException() { }

    /// <summary>Creates the exception.</summary>
    public RedisConnectionException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public RedisConnectionException(string message, Exception? innerException) : base(message, innerException) { }
}

/// <summary>Retriable: the command was sent but no reply came within the command timeout (it may or may not have run).</summary>
public sealed class RedisTimeoutException : RedisException
{
    /// <summary>Creates the exception.</summary>
    public RedisTimeoutException() { }

    /// <summary>Creates the exception.</summary>
    public RedisTimeoutException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public RedisTimeoutException(string message, Exception? innerException) : base(message, innerException) { }
}
