using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace FleaMarket.Persistence.Journals;

/// <summary>
/// The connection pool of the PostgreSQL journal plus what every statement needs around it: a read repeated
/// once on a connection broken by a server restart, and Npgsql errors turned into <see cref="StorageUnavailableException"/>.
/// </summary>
internal sealed class PostgreSqlDatabase : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly string _host;

    /// <summary>
    /// Milliseconds after which PostgreSQL ends a session that sits idle inside a transaction, unless the connection
    /// string's <c>Options</c> set it. A silo stopped (SIGSTOP, a VM paused) or cut off between its journal batch's
    /// statements and COMMIT holds the row locks of every stream in that batch: without this, those listings stall
    /// on every other silo until the stopped one is declared dead and its connections close (docs/reliability.md).
    /// The journal's own transactions never idle: their statements go out in one round trip, COMMIT right after.
    /// </summary>
    public const int IdleInTransactionTimeoutMs = 5000;

    public PostgreSqlDatabase(string connectionString, ILogger? logger = null)
    {
        DataSource = NpgsqlDataSource.Create(WithSessionDefaults(connectionString));
        _host = new NpgsqlConnectionStringBuilder(connectionString).Host ?? "?";
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The connection string with <see cref="IdleInTransactionTimeoutMs"/> added to its <c>Options</c> unless they set the timeout.</summary>
    public static string WithSessionDefaults(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.Options?.Contains("idle_in_transaction_session_timeout", StringComparison.OrdinalIgnoreCase) != true)
        {
            builder.Options = $"{builder.Options} -c idle_in_transaction_session_timeout={IdleInTransactionTimeoutMs}".TrimStart();
        }

        return builder.ConnectionString;
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>
    /// True for a connection that is gone (reset, refused, terminated by a shutting-down server): Npgsql does not
    /// test idle pooled connections before handing them out, so after a server restart each of them fails once.
    /// </summary>
    public static bool IsBrokenConnection(NpgsqlException error) => error switch
    {
        PostgresException { SqlState: var state } => state.StartsWith("08", StringComparison.Ordinal) || state is "57P01" or "57P02",
        // A command timeout is not a broken connection: repeating it would only double the wait.
        _ => error.InnerException is not TimeoutException,
    };

    /// <summary>Runs a read, once more on a fresh connection if the first one turned out broken: reading is safe to repeat.</summary>
    public async Task<T> ReadAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> read, string operation, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadOnceAsync(read, cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException e) when (IsBrokenConnection(e) && !cancellationToken.IsCancellationRequested)
        {
            ConnectionBroken(operation, e);
        }

        try
        {
            return await ReadOnceAsync(read, cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            throw Failure(operation, e);
        }
    }

    /// <summary>Drops every pooled connection (they died together), so the next operation connects afresh.</summary>
    public void ConnectionBroken(string operation, NpgsqlException error)
    {
        JournalLog.RetryingOnBrokenConnection(_logger, error, operation);
        DataSource.Clear();
    }

    /// <summary>The exception to throw for an Npgsql failure of <paramref name="operation"/> (e.g. "read journal 'orders' stream 'l-42'").</summary>
    public StorageUnavailableException Failure(string operation, NpgsqlException error)
    {
        JournalLog.OperationFailed(_logger, error, "PostgreSQL", operation);
        if (IsBrokenConnection(error)) DataSource.Clear();
        return new StorageUnavailableException(
            $"PostgreSQL (server {_host}) could not {operation}: {error.Message}. The operation was not acknowledged.", error);
    }

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    private async Task<T> ReadOnceAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await read(connection, cancellationToken).ConfigureAwait(false);
    }
}
