using FleaMarket.Runtime.Reminders;
using FleaMarket.Runtime.Sqlite.Hosting;

namespace FleaMarket.Runtime.Sqlite.Reminders;

/// <summary>
/// Reminders in table reminders, one row per (service, grain, name), in the same file as grain state.
/// Times are UTC ticks, so an entry reads back exactly as written.
/// </summary>
internal sealed class SqliteReminderTable(SqliteDatabase database, string serviceId) : IReminderTable
{
    private const string Where = "service_id = $service AND grain_type = $type AND grain_key = $key AND name = $name";

    /// <inheritdoc />
    public Task<IReadOnlyList<ReminderEntry>> ReadAllAsync(CancellationToken cancellationToken = default) =>
        database.ReadAsync<IReadOnlyList<ReminderEntry>>(async (connection, ct) =>
        {
            using var command = connection.Command("""
                SELECT grain_type, grain_key, name, first_due_ticks, period_ticks FROM reminders
                WHERE service_id = $service ORDER BY grain_type, grain_key, name;
                """).With("$service", serviceId);
            using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var entries = new List<ReminderEntry>();
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                entries.Add(new ReminderEntry(
                    new GrainId(reader.GetString(0), reader.GetString(1)),
                    reader.GetString(2),
                    new DateTimeOffset(reader.GetInt64(3), TimeSpan.Zero),
                    TimeSpan.FromTicks(reader.GetInt64(4))));
            }

            return entries;
        }, cancellationToken);

    /// <inheritdoc />
    public Task UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return database.WriteAsync(async (transaction, ct) =>
        {
            using var command = transaction.Command("""
                INSERT INTO reminders (service_id, grain_type, grain_key, name, first_due_ticks, period_ticks)
                VALUES ($service, $type, $key, $name, $due, $period)
                ON CONFLICT (service_id, grain_type, grain_key, name)
                DO UPDATE SET first_due_ticks = excluded.first_due_ticks, period_ticks = excluded.period_ticks, last_claimed_ticks = NULL;
                """).WithGrain(serviceId, entry.GrainId).With("$name", entry.Name)
                .With("$due", entry.FirstDue.UtcTicks).With("$period", entry.Period.Ticks);
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> RemoveAsync(GrainId grainId, string name, CancellationToken cancellationToken = default) =>
        database.WriteAsync(async (transaction, ct) =>
        {
            using var command = transaction.Command($"DELETE FROM reminders WHERE {Where};")
                .WithGrain(serviceId, grainId).With("$name", name);
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) > 0;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<bool> TryClaimTickAsync(GrainId grainId, string name, DateTimeOffset due, CancellationToken cancellationToken = default) =>
        database.WriteAsync(async (transaction, ct) =>
        {
            // One conditional update: of silos racing for the same due time, only the first moves the claim.
            using var command = transaction.Command($"""
                UPDATE reminders SET last_claimed_ticks = $due
                WHERE {Where} AND (last_claimed_ticks IS NULL OR last_claimed_ticks < $due);
                """).WithGrain(serviceId, grainId).With("$name", name).With("$due", due.UtcTicks);
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) > 0;
        }, cancellationToken);
}
