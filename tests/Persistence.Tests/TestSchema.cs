using FleaMarket.Persistence;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace FleaMarket.Persistence.Tests;

/// <summary>
/// Applies the project's own schema scripts, read from the resources the Persistence assembly embeds
/// (deploy/sql/{engine}/{file}). Applies single scripts where a test needs some without the others (the migrator applies all); every script is
/// idempotent, so applying one twice is part of what the tests check.
/// </summary>
internal static class TestSchema
{
    public static string Script(string engine, string file)
    {
        var name = $"FleaMarket.Persistence.Schema.{engine}.{file}";
        using var stream = typeof(FleaMarket.Persistence.Schema.DatabaseSchema).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The Persistence assembly embeds no resource {name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public static async Task ApplyPostgreSqlAsync(string connectionString, params string[] files)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var file in files)
        {
            await using var command = new NpgsqlCommand(Script("postgresql", file), connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    public static async Task ApplySqliteAsync(string databasePath, params string[] files)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(databasePath))!);
        // No pooling: the test deletes the file afterwards, so no handle may stay open.
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        foreach (var file in files)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = Script("sqlite", file);
            await command.ExecuteNonQueryAsync();
        }
    }
}
