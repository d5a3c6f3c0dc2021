using Orleans.Runtime;

namespace FleaMarket.Persistence;

/// <summary>
/// The storage engine (PostgreSQL, SQLite) could not be reached or failed the operation. The message names the
/// operation and the engine. A failed write is never reported as done, though it may have committed if the
/// connection broke during the commit; a compare-and-swap conflict is an
/// <see cref="Orleans.Storage.InconsistentStateException"/> instead. Serializable by Orleans, so a grain's caller
/// receives it intact (the HTTP API answers 503 for it). It lives with the grain contracts, not in FleaMarket.Persistence
/// (which throws it, and whose namespace it keeps), because a grain call can fail with it: an API node loads only
/// this assembly, and a client without the type's codec cannot read the failed response at all.
/// </summary>
[GenerateSerializer]
[Alias("FleaMarket.StorageUnavailableException")]
public sealed class StorageUnavailableException : OrleansException
{
    /// <summary>Creates the exception with a default message.</summary>
    public StorageUnavailableException()
        : base("The storage engine is unavailable.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public StorageUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>
    /// Creates the exception with <paramref name="message"/>. <see cref="Exception.InnerException"/> becomes a plain
    /// <see cref="Exception"/> stating the type and message of <paramref name="engineError"/> and of its inner errors,
    /// not the driver's exception itself: Orleans has no codec for driver exception types (NpgsqlException,
    /// SqliteException), and the whole response would fail to serialize. The engines log the driver's exception.
    /// </summary>
    public StorageUnavailableException(string message, Exception? engineError)
        : base(message, Describe(engineError)!)
    {
    }

    private static Exception? Describe(Exception? error)
    {
        if (error is null) return null;
        var chain = new List<string>();
        for (var e = error; e is not null; e = e.InnerException) chain.Add($"{e.GetType().FullName}: {e.Message}");
        return new Exception(string.Join(" ---> ", chain));
    }
}
