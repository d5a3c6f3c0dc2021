using System.Globalization;
using System.Reflection;
using Npgsql;

namespace FleaMarket.Runtime.PostgreSql.Schema;

/// <summary>
/// Applies the versioned scripts of deploy/sql/postgresql (embedded in this assembly) that a database has
/// not seen yet, recording each in <c>schema_migrations</c>. Idempotent and safe when several silos start at once.
/// </summary>
public static class PostgreSqlSchemaMigrator
{
    private const string ResourcePrefix = "FleaMarket.Runtime.PostgreSql.Schema.";

    // Any fixed number works as long as every FleaMarket process uses the same one ("FleaMkt" in ASCII).
    private const long AdvisoryLockKey = 0x466C65614D6B74;

    /// <summary>The embedded scripts in the order they apply: (version, file name, SQL).</summary>
    internal static IReadOnlyList<(int Version, string Name, string Sql)> Scripts { get; } = LoadScripts();

    /// <summary>
    /// Applies every missing script, each in its own transaction holding a transaction-scoped advisory lock,
    /// so a second process waits and then finds the script applied. Returns the file names applied by this call.
    /// </summary>
    public static async Task<IReadOnlyList<string>> MigrateAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var applied = new List<string>();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (version, name, sql) in Scripts)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({AdvisoryLockKey})", cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    integer     NOT NULL PRIMARY KEY,
                    name       text        NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """, cancellationToken).ConfigureAwait(false);

            await using (var check = new NpgsqlCommand("SELECT count(*) FROM schema_migrations WHERE version = $1", connection))
            {
                check.Parameters.Add(new NpgsqlParameter<int> { TypedValue = version });
                if ((long)(await check.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! > 0)
                {
                    await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }
            }

            await ExecuteAsync(connection, sql, cancellationToken).ConfigureAwait(false);
            await using (var record = new NpgsqlCommand("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", connection))
            {
                record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = version });
                record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            applied.Add(name);
        }

        return applied;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static List<(int, string, string)> LoadScripts()
    {
        var assembly = typeof(PostgreSqlSchemaMigrator).Assembly;
        var scripts = new List<(int Version, string Name, string Sql)>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var name = resource[ResourcePrefix.Length..];
            var digits = new string([.. name.TakeWhile(char.IsAsciiDigit)]);
            if (digits.Length == 0) throw new InvalidOperationException($"Schema script '{name}' does not start with its version number.");
            scripts.Add((int.Parse(digits, CultureInfo.InvariantCulture), name, Read(assembly, resource)));
        }

        var duplicate = scripts.GroupBy(s => s.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InvalidOperationException($"Two schema scripts share version {duplicate.Key}.");
        return [.. scripts.OrderBy(s => s.Version)];
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
