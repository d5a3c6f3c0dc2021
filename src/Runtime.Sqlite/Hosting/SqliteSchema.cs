using System.Globalization;
using System.Reflection;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace FleaMarket.Runtime.Sqlite.Hosting;

/// <summary>
/// Prepares a database file: WAL mode, then the versioned scripts of deploy/sql/sqlite (embedded in this
/// assembly) that the file has not seen yet, each in its own transaction with its schema_migrations row.
/// </summary>
internal static class SqliteSchema
{
    private const string ResourcePrefix = "FleaMarket.Runtime.Sqlite.Schema.";

    private const string CreateMigrationsTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER NOT NULL PRIMARY KEY,
            script     TEXT    NOT NULL,
            applied_at TEXT    NOT NULL
        );
        """;

    /// <summary>The embedded scripts as (version, script name), in version order.</summary>
    public static IReadOnlyList<(long Version, string Script)> Scripts { get; } = [.. typeof(SqliteSchema).Assembly
        .GetManifestResourceNames()
        .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
        .Select(n => n[ResourcePrefix.Length..])
        .Select(script => (Version: ParseVersion(script), Script: script))
        .OrderBy(s => s.Version)];

    /// <summary>Switches a new write connection's file to WAL and applies pending scripts.</summary>
    public static async Task PrepareAsync(SqliteConnection connection, string filePath, ILogger logger, CancellationToken cancellationToken)
    {
        // WAL is a property of the file (it persists), unlike the per-connection pragmas set on every open.
        var journalMode = await ScalarAsync(connection, "PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false) as string ?? "?";
        if (!string.Equals(journalMode, "wal", StringComparison.OrdinalIgnoreCase)) SqliteLog.WalUnavailable(logger, filePath, journalMode);
        await MigrateAsync(connection, filePath, logger, cancellationToken).ConfigureAwait(false);
        SqliteLog.DatabaseOpened(logger, filePath, journalMode);
    }

    private static async Task MigrateAsync(SqliteConnection connection, string filePath, ILogger logger, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, CreateMigrationsTable, cancellationToken).ConfigureAwait(false);
        foreach (var (version, script) in Scripts)
        {
            // IMMEDIATE: two processes opening a new file at once cannot both apply a script; the second
            // waits, then sees the version recorded and skips it.
            using var transaction = connection.BeginTransaction(deferred: false);
            using var applied = connection.CreateCommand();
            applied.Transaction = transaction;
            applied.CommandText = "SELECT 1 FROM schema_migrations WHERE version = $version;";
            applied.Parameters.AddWithValue("$version", version);
            if (await applied.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null) continue;

            using var run = connection.CreateCommand();
            run.Transaction = transaction;
            run.CommandText = ReadScript(script);
            await run.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

            using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = "INSERT INTO schema_migrations (version, script, applied_at) VALUES ($version, $script, $at);";
            record.Parameters.AddWithValue("$version", version);
            record.Parameters.AddWithValue("$script", script);
            record.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            transaction.Commit();
            SqliteLog.SchemaScriptApplied(logger, version, script, filePath);
        }
    }

    public static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public static async Task<object?> ScalarAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    // "001_initial.sql" is version 1: the digits before the first underscore.
    private static long ParseVersion(string script) =>
        long.TryParse(script.AsSpan(0, Math.Max(0, script.IndexOf('_', StringComparison.Ordinal))), NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? version
            : throw new InvalidOperationException($"Schema script '{script}' must start with its version number, e.g. 002_name.sql.");

    private static string ReadScript(string script)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourcePrefix + script)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
