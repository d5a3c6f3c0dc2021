using Microsoft.Extensions.Logging;
using Npgsql;

namespace FleaMarket.Persistence.Schema;

/// <summary>Applies the PostgreSQL scripts in one transaction that holds a transaction-scoped advisory lock.</summary>
internal static class PostgreSqlSchema
{
    // Any fixed number works as long as every FleaMarket process uses the same one ("FMSchema" in ASCII).
    // It differs from the old runtime's migrator key so the two never wait on each other.
    private const long AdvisoryLockKey = 0x464D536368656D61;

    private const string CreateHistoryTable = """
        CREATE TABLE IF NOT EXISTS fleamarket_schema (
            script     text        NOT NULL PRIMARY KEY,
            applied_at timestamptz NOT NULL DEFAULT now())
        """;

    public static async Task ApplyAsync(
        string connectionString, IReadOnlyList<SchemaScript> scripts, ILogger logger, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);

        // PostgreSQL's DDL is transactional: a failing script leaves the database as it was. The lock is taken
        // before the history table is even created (concurrent CREATE TABLE IF NOT EXISTS can fail), and it is
        // released by the commit, so a second silo waits here and then finds every script recorded.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({AdvisoryLockKey})", connection, transaction))
        {
            lockCommand.CommandTimeout = 0;
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await SchemaRunner.ApplyPendingAsync(
            connection, transaction, DatabaseEngine.PostgreSql, CreateHistoryTable, scripts, logger, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
