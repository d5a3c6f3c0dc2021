namespace FleaMarket.Runtime;

/// <summary>
/// A call failed in a way that guarantees nothing happened or that is safe to try again
/// (the target silo was unreachable, the grain was moving, the cluster was changing).
/// </summary>
public class RetriableCallException : Exception
{
    public RetriableCallException(string message) : base(message) { }
    public RetriableCallException(string message, Exception? inner) : base(message, inner) { }
}

/// <summary>The silo that should serve a call cannot be reached, or the connection dropped mid-call.</summary>
public sealed class SiloUnavailableException : RetriableCallException
{
    public SiloUnavailableException(string message, bool requestSent = false, Exception? inner = null)
        : base(message, inner) => RequestSent = requestSent;

    /// <summary>True when the request may have reached the silo before the failure, so it may have run.</summary>
    public bool RequestSent { get; }
}

/// <summary>A grain call got no response within the configured response timeout. The call may have run.</summary>
public sealed class GrainCallTimeoutException : TimeoutException
{
    public GrainCallTimeoutException(string message) : base(message) { }
}

/// <summary>
/// A storage write found a different ETag than the activation last read: another writer got there first.
/// The runtime drops the activation so the next call re-reads the stored state.
/// </summary>
public sealed class InconsistentStateException : Exception
{
    public InconsistentStateException(string message, string? storedETag = null, string? currentETag = null)
        : base(message)
    {
        StoredETag = storedETag;
        CurrentETag = currentETag;
    }

    /// <summary>The ETag found in storage, when the provider knows it.</summary>
    public string? StoredETag { get; }

    /// <summary>The ETag the activation held.</summary>
    public string? CurrentETag { get; }
}

/// <summary>
/// A grain threw an exception whose type cannot be recreated in the caller's process; carries its type name and message.
/// </summary>
public sealed class RemoteGrainException : Exception
{
    public RemoteGrainException(string remoteType, string message, string? remoteStackTrace)
        : base(message)
    {
        RemoteType = remoteType;
        RemoteStackTrace = remoteStackTrace;
    }

    /// <summary>Full name of the exception type thrown by the grain.</summary>
    public string RemoteType { get; }

    /// <summary>The stack trace in the grain's silo.</summary>
    public string? RemoteStackTrace { get; }
}
