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
    /// Seconds a journal statement may take (Npgsql's <c>Command Timeout</c>, 30 s by default) unless the connection
    /// string sets it. A batch normally commits in milliseconds; one stuck on a connection whose packets are being
    /// dropped (a silo cut off from the database) otherwise holds its listings' purchases for 30 s, and keeps them
    /// stalled after the network heals until TCP's next retransmission (docs/reliability.md). Past it the batch fails
    /// (nothing in it is acknowledged), the connection is dropped, and the next batch connects afresh. Under the API's
    /// 10 s grain-call timeout, so a buyer gets the storage failure (503) rather than a timeout.
    /// </summary>
    public const int DefaultCommandTimeoutSeconds = 5;

    /// <summary>
    /// Statements Npgsql prepares on each connection once they have run a few times (<c>Max Auto Prepare</c>, off by
    /// default), unless the connection string sets it. A spread drop sends one append statement per listing per batch,
    /// and PostgreSQL parsed and planned every one of them afresh (docs/benchmarks.md). Set <c>Max Auto Prepare=0</c>
    /// behind a pooler in transaction mode (PgBouncer before 1.21), which cannot keep prepared statements.
    /// </summary>
    public const int DefaultMaxAutoPrepare = 32;

    public PostgreSqlDatabase(string connectionString, ILogger? logger = null)
    {
        DataSource = NpgsqlDataSource.Create(WithJournalDefaults(connectionString));
        _host = new NpgsqlConnectionStringBuilder(connectionString).Host ?? "?";
        _logger = logger ?? NullLogger.Instance;
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>
    /// The silo's session defaults (<see cref="PostgreSqlSessions.WithDefaults"/>), <see cref="DefaultCommandTimeoutSeconds"/> and
    /// <see cref="DefaultMaxAutoPrepare"/>, each unless the connection string sets it.
    /// </summary>
    internal static string WithJournalDefaults(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgreSqlSessions.WithDefaults(connectionString));
        // What the string says, not what Npgsql fills in: its builder answers 30 for a string that names no timeout.
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!given.ContainsKey("Command Timeout") && !given.ContainsKey("CommandTimeout")) builder.CommandTimeout = DefaultCommandTimeoutSeconds;
        if (!given.ContainsKey("Max Auto Prepare") && !given.ContainsKey("MaxAutoPrepare")) builder.MaxAutoPrepare = DefaultMaxAutoPrepare;
        return builder.ConnectionString;
    }

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
