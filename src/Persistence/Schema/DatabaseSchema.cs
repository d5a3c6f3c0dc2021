using System.Data.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FleaMarket.Persistence.Schema;

/// <summary>
/// Brings a database up to FleaMarket's schema: Orleans' ADO.NET tables and queries (OrleansQuery and the storage,
/// reminder and membership tables) and the project's own tables, from the files of deploy/sql/{engine} embedded in
/// this assembly. Each file is applied once, in file-name order, and recorded in the table <c>fleamarket_schema</c>;
/// a later call applies only files added since. Several processes may call it at once: they take a lock first
/// (PostgreSQL: a transaction-scoped advisory lock; SQLite: <c>BEGIN IMMEDIATE</c>), so one applies the files and
/// the others then find them applied.
/// </summary>
/// <remarks>
/// All pending files of one call run in one transaction, so a script must not commit, roll back or use statements
/// that cannot run inside a transaction (PostgreSQL's <c>CREATE INDEX CONCURRENTLY</c>, <c>VACUUM</c>).
/// </remarks>
public static class DatabaseSchema
{
    /// <summary>Applies the scripts of <paramref name="engine"/> that the database has not seen yet.</summary>
    /// <param name="engine">Which engine, and so which folder of scripts.</param>
    /// <param name="connectionString">
    /// An Npgsql connection string for <see cref="DatabaseEngine.PostgreSql"/>; a Microsoft.Data.Sqlite one for
    /// <see cref="DatabaseEngine.Sqlite"/>, whose file's directory is created when missing.
    /// </param>
    /// <param name="logger">Receives one line per applied script; none when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Abandons the attempt; the transaction rolls back and nothing is recorded.</param>
    /// <exception cref="InvalidOperationException">
    /// A script failed (the message names the script and the engine, the inner exception is the driver's) or the
    /// database could not be reached. Nothing of that call is kept.
    /// </exception>
    public static Task ApplyAsync(
        DatabaseEngine engine, string connectionString, ILogger? logger = null, CancellationToken cancellationToken = default) =>
        ApplyAsync(engine, connectionString, SchemaScripts.For(engine), logger, cancellationToken);

    /// <summary>The same with the scripts given, so tests can apply a failing one.</summary>
    internal static async Task ApplyAsync(
        DatabaseEngine engine,
        string connectionString,
        IReadOnlyList<SchemaScript> scripts,
        ILogger? logger,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentNullException.ThrowIfNull(scripts);
        logger ??= NullLogger.Instance;
        try
        {
            switch (engine)
            {
                case DatabaseEngine.PostgreSql:
                    await PostgreSqlSchema.ApplyAsync(connectionString, scripts, logger, cancellationToken).ConfigureAwait(false);
                    break;
                case DatabaseEngine.Sqlite:
                    await SqliteSchema.ApplyAsync(connectionString, scripts, logger, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(engine), engine, "Unknown database engine.");
            }
        }
        catch (DbException e)
        {
            // Failures inside a script are already wrapped with its name; this is connecting, locking, recording.
            throw new InvalidOperationException($"Applying the {engine} schema failed: {e.Message}", e);
        }
    }
}
