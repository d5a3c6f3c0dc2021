using FleaMarket.Runtime.PostgreSql.Schema;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace FleaMarket.Runtime.PostgreSql.Hosting;

/// <summary>
/// The connection pool shared by the providers of one host, plus the two things every provider needs
/// around it: the schema applied before first use, and Npgsql errors turned into clear ones.
/// </summary>
internal sealed class PostgreSqlDatabase : IAsyncDisposable
{
    private readonly SemaphoreSlim _migrationGate = new(1, 1);
    private readonly ILogger _logger;
    private readonly bool _ownsDataSource;
    private volatile bool _migrated;

    public PostgreSqlDatabase(NpgsqlDataSource dataSource, ILogger? logger = null, bool ownsDataSource = false)
    {
        DataSource = dataSource;
        _logger = logger ?? NullLogger.Instance;
        _ownsDataSource = ownsDataSource;
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>Applies missing schema scripts once per process; a failed attempt is retried by the next caller.</summary>
    public async Task EnsureMigratedAsync(CancellationToken cancellationToken)
    {
        if (_migrated) return;
        await _migrationGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_migrated) return;
            var applied = await PostgreSqlSchemaMigrator.MigrateAsync(DataSource, cancellationToken).ConfigureAwait(false);
            foreach (var name in applied) PostgreSqlLog.MigrationApplied(_logger, name);
            if (applied.Count == 0) PostgreSqlLog.SchemaUpToDate(_logger, PostgreSqlSchemaMigrator.Scripts.Count);
            _migrated = true;
        }
        finally
        {
            _migrationGate.Release();
        }
    }

    /// <summary>An open pooled connection to a migrated database.</summary>
    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        return await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The exception to throw for an Npgsql failure of <paramref name="operation"/> (e.g. "write state 'cart' of cart/42").</summary>
    public PostgreSqlStorageException Failure(string operation, NpgsqlException error)
    {
        PostgreSqlLog.OperationFailed(_logger, error, operation);

        // Npgsql does not test idle pooled connections before handing them out: after a server restart every
        // one of them is dead and would fail one more operation each. Dropping them makes the next call reconnect.
        if (error is not PostgresException || error is PostgresException { SqlState: var state } && (state.StartsWith("08", StringComparison.Ordinal) || state.StartsWith("57", StringComparison.Ordinal)))
        {
            DataSource.Clear();
        }

        var host = DataSource.ConnectionString is { } cs ? new NpgsqlConnectionStringBuilder(cs).Host : null;
        return new PostgreSqlStorageException(
            $"PostgreSQL could not {operation} (server {host ?? "?"}): {error.Message}. The operation was not acknowledged.",
            error);
    }

    public async ValueTask DisposeAsync()
    {
        _migrationGate.Dispose();
        if (_ownsDataSource) await DataSource.DisposeAsync().ConfigureAwait(false);
    }
}
