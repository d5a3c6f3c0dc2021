using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace FleaMarket.Runtime.Sqlite.Hosting;

/// <summary>Small helpers shared by the providers: commands in a transaction, key parameters, JSON payloads.</summary>
internal static class SqliteCommandExtensions
{
    /// <summary>A command on the transaction's connection; Microsoft.Data.Sqlite rejects one without it.</summary>
    public static SqliteCommand Command(this SqliteTransaction transaction, string sql)
    {
        var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    public static SqliteCommand Command(this SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    /// <summary>Binds $service, $type and $key: the partition every table is keyed by.</summary>
    public static SqliteCommand WithGrain(this SqliteCommand command, string serviceId, GrainId grainId)
    {
        command.Parameters.AddWithValue("$service", serviceId);
        command.Parameters.AddWithValue("$type", grainId.Type);
        command.Parameters.AddWithValue("$key", grainId.Key);
        return command;
    }

    public static SqliteCommand With(this SqliteCommand command, string name, object value)
    {
        command.Parameters.AddWithValue(name, value);
        return command;
    }

    /// <summary>Runs a statement ending in RETURNING of one integer; null when it touched no row.</summary>
    public static async Task<long?> ReturningAsync(this SqliteCommand command, CancellationToken cancellationToken) =>
        await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long value ? value : null;

    /// <summary>Payloads are stored as JSON text, so the file can be inspected with the sqlite3 shell.</summary>
    public static string ToJson<T>(T value) => Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(value));

    public static T FromJson<T>(string json) => JsonSerializer.Deserialize<T>(json)!;
}
