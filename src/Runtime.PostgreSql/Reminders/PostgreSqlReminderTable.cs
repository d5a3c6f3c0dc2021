using FleaMarket.Runtime.PostgreSql.Hosting;
using FleaMarket.Runtime.Reminders;
using Npgsql;

namespace FleaMarket.Runtime.PostgreSql.Reminders;

/// <summary>Durable reminders of one service in the <c>reminder</c> table, keyed by (grain, name).</summary>
internal sealed class PostgreSqlReminderTable(PostgreSqlDatabase database, string serviceId) : IReminderTable
{
    public async Task<IReadOnlyList<ReminderEntry>> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(
                "SELECT grain_type, grain_key, name, first_due, period FROM reminder WHERE service_id = $1", connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var entries = new List<ReminderEntry>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                entries.Add(new ReminderEntry(
                    new GrainId(reader.GetString(0), reader.GetString(1)),
                    reader.GetString(2),
                    reader.GetFieldValue<DateTimeOffset>(3),
                    reader.GetFieldValue<TimeSpan>(4)));
            }

            return entries;
        }
        catch (NpgsqlException e)
        {
            throw database.Failure($"read the reminders of service '{serviceId}'", e);
        }
    }

    public async Task UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("""
                INSERT INTO reminder (service_id, grain_type, grain_key, name, first_due, period) VALUES ($1, $2, $3, $4, $5, $6)
                ON CONFLICT (service_id, grain_type, grain_key, name)
                DO UPDATE SET first_due = excluded.first_due, period = excluded.period, last_claimed = NULL
                """, connection);
            AddKey(command, entry.GrainId, entry.Name);
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = entry.FirstDue.ToUniversalTime() });
            command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = entry.Period });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            throw database.Failure($"save reminder '{entry.Name}' of grain {entry.GrainId}", e);
        }
    }

    public async Task<bool> RemoveAsync(GrainId grainId, string name, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(
                "DELETE FROM reminder WHERE service_id = $1 AND grain_type = $2 AND grain_key = $3 AND name = $4", connection);
            AddKey(command, grainId, name);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }
        catch (NpgsqlException e)
        {
            throw database.Failure($"remove reminder '{name}' of grain {grainId}", e);
        }
    }

    public async Task<bool> TryClaimTickAsync(GrainId grainId, string name, DateTimeOffset due, CancellationToken cancellationToken = default)
    {
        try
        {
            // One conditional UPDATE: of silos racing for the same tick, the row lock lets exactly one move the claim.
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("""
                UPDATE reminder SET last_claimed = $5
                WHERE service_id = $1 AND grain_type = $2 AND grain_key = $3 AND name = $4 AND (last_claimed IS NULL OR last_claimed < $5)
                """, connection);
            AddKey(command, grainId, name);
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = due.ToUniversalTime() });
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }
        catch (NpgsqlException e)
        {
            throw database.Failure($"claim the tick due {due:O} of reminder '{name}' of grain {grainId}", e);
        }
    }

    private void AddKey(NpgsqlCommand command, GrainId grainId, string name)
    {
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grainId.Type });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grainId.Key });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
    }
}
