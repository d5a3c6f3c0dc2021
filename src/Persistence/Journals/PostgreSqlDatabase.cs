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

    public PostgreSqlDatabase(string connectionString, ILogger? logger = null)
    {
        DataSource = NpgsqlDataSource.Create(PostgreSqlSessions.WithDefaults(connectionString));
        _host = new NpgsqlConnectionStringBuilder(connectionString).Host ?? "?";
        _logger = logger ?? NullLogger.Instance;
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
