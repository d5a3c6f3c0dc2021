using System.Data;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace FleaMarket.Persistence.Schema;

/// <summary>Applies the SQLite scripts inside <c>BEGIN IMMEDIATE</c>, after switching the file to WAL.</summary>
internal static class SqliteSchema
{
    private const string CreateHistoryTable = """
        CREATE TABLE IF NOT EXISTS fleamarket_schema (
            script     TEXT NOT NULL PRIMARY KEY,
            applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)
        """;

    public static async Task ApplyAsync(
        string connectionString, IReadOnlyList<SchemaScript> scripts, ILogger logger, CancellationToken cancellationToken)
    {
        CreateDirectoryOf(connectionString);
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await UseWriteAheadLogAsync(connection, logger, cancellationToken).ConfigureAwait(false);

        // deferred: false makes Microsoft.Data.Sqlite issue BEGIN IMMEDIATE: the write lock is taken now, not at the
        // first write, so a second process waits here (the driver retries SQLITE_BUSY up to its default timeout)
        // and then finds every script recorded, instead of failing half-way with "database is locked".
        await using var transaction = connection.BeginTransaction(IsolationLevel.Serializable, deferred: false);
        await SchemaRunner.ApplyPendingAsync(
            connection, transaction, DatabaseEngine.Sqlite, CreateHistoryTable, scripts, logger, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    // WAL lets readers go on while one writer commits, which matters because one file holds Orleans' grain state,
    // the journal and the reminder table. The mode is stored in the file, so it is switched once; reading it first
    // avoids the exclusive lock the switch needs on every later start.
    private static async Task UseWriteAheadLogAsync(SqliteConnection connection, ILogger logger, CancellationToken cancellationToken)
    {
        var mode = await JournalModeAsync(connection, "PRAGMA journal_mode", cancellationToken).ConfigureAwait(false);
        if (string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        mode = await JournalModeAsync(connection, "PRAGMA journal_mode=WAL", cancellationToken).ConfigureAwait(false);
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            // An in-memory database answers "memory": nothing to share, nothing to fix.
            SchemaLog.NotWriteAheadLog(logger, mode);
        }
    }

    private static async Task<string> JournalModeAsync(SqliteConnection connection, string pragma, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = pragma;
        return Convert.ToString(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }

    private static void CreateDirectoryOf(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var file = builder.DataSource;
        if (builder.Mode == SqliteOpenMode.Memory || string.IsNullOrEmpty(file) || file == ":memory:"
            || file.StartsWith("file:", StringComparison.OrdinalIgnoreCase) || file.Contains('|', StringComparison.Ordinal))
        {
            // In memory, a URI or a |DataDirectory| path: SQLite resolves those itself.
            return;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(file));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
    }
}
