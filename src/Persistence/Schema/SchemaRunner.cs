using System.Data.Common;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace FleaMarket.Persistence.Schema;

/// <summary>
/// What both engines do once they hold their lock inside a transaction: read which scripts the database has seen,
/// run the others in order and record each. The migrator never looks inside a script.
/// </summary>
internal static class SchemaRunner
{
    public static async Task ApplyPendingAsync(
        DbConnection connection,
        DbTransaction transaction,
        DatabaseEngine engine,
        string createHistoryTable,
        IReadOnlyList<SchemaScript> scripts,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, transaction, createHistoryTable, cancellationToken).ConfigureAwait(false);
        var applied = await ReadAppliedAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var pending = scripts.Where(script => !applied.Contains(script.Name)).ToList();
        foreach (var script in pending)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await ExecuteAsync(connection, transaction, script.Sql, cancellationToken).ConfigureAwait(false);
                await RecordAsync(connection, transaction, script.Name, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new InvalidOperationException($"Schema script {script.Name} failed on {engine}: {e.Message}", e);
            }

            SchemaLog.ScriptApplied(logger, script.Name, engine, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        if (pending.Count == 0)
        {
            SchemaLog.UpToDate(logger, engine, scripts.Count);
        }
    }

    private static async Task<HashSet<string>> ReadAppliedAsync(
        DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, "SELECT script FROM fleamarket_schema");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var applied = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            applied.Add(reader.GetString(0));
        }

        return applied;
    }

    private static async Task RecordAsync(
        DbConnection connection, DbTransaction transaction, string script, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, "INSERT INTO fleamarket_schema (script) VALUES (@script)");
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@script";
        parameter.Value = script;
        command.Parameters.Add(parameter);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(
        DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static DbCommand Command(DbConnection connection, DbTransaction transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        // A script may build indexes on large tables; the driver's default (30 s) is meant for queries.
        command.CommandTimeout = 0;
        return command;
    }
}
