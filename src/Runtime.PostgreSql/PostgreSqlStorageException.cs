namespace FleaMarket.Runtime.PostgreSql;

/// <summary>
/// A PostgreSQL operation failed (server down, connection lost, query error). The message names the
/// operation and the grain; <see cref="Exception.InnerException"/> is Npgsql's error. A failed write may
/// or may not have committed if the connection dropped during the commit, so it is never reported as done;
/// an ETag conflict is an <see cref="InconsistentStateException"/> instead.
/// </summary>
public sealed class PostgreSqlStorageException : Exception
{
    public PostgreSqlStorageException(string message, Exception? inner = null) : base(message, inner) { }
}
