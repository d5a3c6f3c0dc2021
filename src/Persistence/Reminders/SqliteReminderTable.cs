using FleaMarket.Persistence.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;

namespace FleaMarket.Persistence.Reminders;

/// <summary>
/// Orleans' reminder table in SQLite (table <c>reminder_entry</c>, deploy/sql/sqlite/210_reminders.sql), one row per
/// (service id, grain, reminder name). Writes share the file's single write connection with the journal. Each silo
/// reads the reminders of its part of the hash ring: <c>grain_hash</c> holds <see cref="GrainId.GetUniformHashCode"/>
/// as a non-negative integer, so the ring's unsigned comparisons are plain integer ones.
/// </summary>
internal sealed class SqliteReminderTable(SqliteDatabaseRegistry registry, IOptions<SqliteReminderOptions> options, IOptions<ClusterOptions> clusterOptions)
    : IReminderTable
{
    private const string Columns = "grain_id, reminder_name, start_at_ticks, period_ticks, etag";
    private readonly string _serviceId = clusterOptions.Value.ServiceId;
    private readonly SqliteDatabase _database = registry.Get(options.Value.ConnectionString!, options.Value.BusyTimeout);

    public Task StartAsync(CancellationToken cancellationToken = default) =>
        _database.GuardAsync(InitializeAsync(cancellationToken), "open the reminder table");

    public Task<ReminderTableData> ReadRows(GrainId grainId) =>
        ReadAsync($"SELECT {Columns} FROM reminder_entry WHERE service_id = $service AND grain_id = $grain;",
            command => command.Parameters.AddWithValue("$grain", grainId.ToString()), $"read the reminders of {grainId}");

    public Task<ReminderTableData> ReadRows(uint begin, uint end) => ReadAsync(
        // The range is (begin, end]; begin >= end wraps around the ring: (begin, max] and [0, end], disjoint, each an index range.
        begin < end
            ? $"SELECT {Columns} FROM reminder_entry WHERE service_id = $service AND grain_hash > $begin AND grain_hash <= $end;"
            : $"""
              SELECT {Columns} FROM reminder_entry WHERE service_id = $service AND grain_hash > $begin
              UNION ALL
              SELECT {Columns} FROM reminder_entry WHERE service_id = $service AND grain_hash <= $end;
              """,
        command =>
        {
            command.Parameters.AddWithValue("$begin", (long)begin);
            command.Parameters.AddWithValue("$end", (long)end);
        },
        $"read the reminders of hash range ({begin}, {end}]");

    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName)
    {
        var rows = await ReadAsync($"SELECT {Columns} FROM reminder_entry WHERE service_id = $service AND grain_id = $grain AND reminder_name = $name;",
            command =>
            {
                command.Parameters.AddWithValue("$grain", grainId.ToString());
                command.Parameters.AddWithValue("$name", reminderName);
            },
            $"read reminder '{reminderName}' of {grainId}").ConfigureAwait(false);
        return rows.Reminders.SingleOrDefault();
    }

    public Task<string?> UpsertRow(ReminderEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        // A fresh random ETag rather than a counter: a counter restarts when a row is deleted and re-created, and an
        // ETag handed out before the delete would then match again.
        var etag = Guid.NewGuid().ToString("N");
        return _database.GuardAsync(_database.WriteAsync<string?>(async (transaction, ct) =>
        {
            using var command = Command(transaction.Connection!, """
                INSERT INTO reminder_entry (service_id, grain_id, reminder_name, grain_hash, start_at_ticks, period_ticks, etag)
                VALUES ($service, $grain, $name, $hash, $start, $period, $etag)
                ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE SET
                    grain_hash = excluded.grain_hash, start_at_ticks = excluded.start_at_ticks,
                    period_ticks = excluded.period_ticks, etag = excluded.etag;
                """);
            command.Transaction = transaction;
            command.Parameters.AddWithValue("$grain", entry.GrainId.ToString());
            command.Parameters.AddWithValue("$name", entry.ReminderName);
            command.Parameters.AddWithValue("$hash", (long)entry.GrainId.GetUniformHashCode());
            command.Parameters.AddWithValue("$start", ToUtc(entry.StartAt).Ticks);
            command.Parameters.AddWithValue("$period", entry.Period.Ticks);
            command.Parameters.AddWithValue("$etag", etag);
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return etag;
        }, CancellationToken.None), $"write reminder '{entry.ReminderName}' of {entry.GrainId}");
    }

    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag) =>
        _database.GuardAsync(_database.WriteAsync(async (transaction, ct) =>
        {
            using var command = Command(transaction.Connection!,
                "DELETE FROM reminder_entry WHERE service_id = $service AND grain_id = $grain AND reminder_name = $name AND etag = $etag;");
            command.Transaction = transaction;
            command.Parameters.AddWithValue("$grain", grainId.ToString());
            command.Parameters.AddWithValue("$name", reminderName);
            command.Parameters.AddWithValue("$etag", eTag);
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
        }, CancellationToken.None), $"remove reminder '{reminderName}' of {grainId}");

    public Task TestOnlyClearTable() =>
        _database.GuardAsync(_database.WriteAsync(async (transaction, ct) =>
        {
            using var command = Command(transaction.Connection!, "DELETE FROM reminder_entry WHERE service_id = $service;");
            command.Transaction = transaction;
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, CancellationToken.None), "clear the reminder table");

    // The table is checked at start so a file without the schema stops the silo with a clear error, not its first reminder.
    private async Task<bool> InitializeAsync(CancellationToken cancellationToken)
    {
        await _database.InitializeAsync(cancellationToken).ConfigureAwait(false);
        return await _database.ReadAsync(async (connection, ct) =>
        {
            using var command = Command(connection, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'reminder_entry';");
            return await command.ExecuteScalarAsync(ct).ConfigureAwait(false) is not null
                ? true
                : throw new InvalidOperationException(
                    $"SQLite database {_database.FilePath} has no reminder_entry table: apply deploy/sql/sqlite/210_reminders.sql before the silo starts.");
        }, cancellationToken).ConfigureAwait(false);
    }

    private Task<ReminderTableData> ReadAsync(string sql, Action<SqliteCommand> bind, string what) =>
        _database.GuardAsync(_database.ReadAsync(async (connection, ct) =>
        {
            using var command = Command(connection, sql);
            bind(command);
            using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var entries = new List<ReminderEntry>();
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                entries.Add(new ReminderEntry
                {
                    GrainId = GrainId.Parse(reader.GetString(0)),
                    ReminderName = reader.GetString(1),
                    StartAt = new DateTime(reader.GetInt64(2), DateTimeKind.Utc),
                    Period = TimeSpan.FromTicks(reader.GetInt64(3)),
                    ETag = reader.GetString(4),
                });
            }

            return new ReminderTableData(entries);
        }, CancellationToken.None), what);

    private SqliteCommand Command(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$service", _serviceId);
        return command;
    }

    // Orleans hands out UTC times; an unspecified kind is taken as UTC, as Orleans' ADO.NET table does.
    private static DateTime ToUtc(DateTime time) => time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : DateTime.SpecifyKind(time, DateTimeKind.Utc);
}
