using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.PostgreSql.Hosting;
using Npgsql;

namespace FleaMarket.Runtime.PostgreSql.Membership;

/// <summary>
/// The membership table of one cluster in PostgreSQL: rows in <c>membership</c>, the table version in
/// <c>membership_version</c>. Every versioned write is one transaction that first moves the version row
/// from newVersion - 1 to newVersion; concurrent writers queue on that row lock and all but one find the
/// version already moved.
/// </summary>
internal sealed class PostgreSqlMembershipTable(PostgreSqlDatabase database, string clusterId) : IMembershipTable
{
    public async Task<MembershipSnapshot> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);

            // One statement reads one snapshot, so the version always matches the rows.
            await using var command = new NpgsqlCommand("""
                SELECT v.version, m.host, m.port, m.generation, m.status, m.silo_name, m.start_time, m.i_am_alive_time, m.suspects
                FROM (SELECT coalesce(max(version), 0) AS version FROM membership_version WHERE cluster_id = $1) v
                LEFT JOIN membership m ON m.cluster_id = $1
                """, connection);
            command.Parameters.Add(MembershipRows.Text(clusterId));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            long version = 0;
            var entries = new List<MembershipEntry>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                version = reader.GetInt64(0);
                if (!reader.IsDBNull(1)) entries.Add(MembershipRows.Read(reader, 1));
            }

            entries.Sort((a, b) => a.Silo.CompareTo(b.Silo));
            return new MembershipSnapshot(version, [.. entries]);
        }
        catch (NpgsqlException e)
        {
            throw database.Failure($"read the membership table of cluster '{clusterId}'", e);
        }
    }

    public Task<bool> TryInsertAsync(MembershipEntry entry, long newVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return WriteVersionedAsync(entry, newVersion, """
            INSERT INTO membership (cluster_id, host, port, generation, status, silo_name, start_time, i_am_alive_time, suspects)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT DO NOTHING
            """, "insert", cancellationToken);
    }

    public Task<bool> TryUpdateAsync(MembershipEntry entry, long newVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return WriteVersionedAsync(entry, newVersion, """
            UPDATE membership SET status = $5, silo_name = $6, start_time = $7, i_am_alive_time = $8, suspects = $9
            WHERE cluster_id = $1 AND host = $2 AND port = $3 AND generation = $4
            """, "update", cancellationToken);
    }

    public async Task UpdateIAmAliveAsync(SiloAddress silo, DateTimeOffset time, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(
                "UPDATE membership SET i_am_alive_time = $5 WHERE cluster_id = $1 AND host = $2 AND port = $3 AND generation = $4", connection);
            MembershipRows.AddKey(command, clusterId, silo);
            command.Parameters.Add(MembershipRows.Time(time));
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            throw database.Failure($"record I-am-alive of silo {silo} in cluster '{clusterId}'", e);
        }
    }

    public async Task<int> CleanupDefunctEntriesAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(
                "DELETE FROM membership WHERE cluster_id = $1 AND status <> $2 AND greatest(i_am_alive_time, start_time) < $3", connection);
            command.Parameters.Add(MembershipRows.Text(clusterId));
            command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)SiloStatus.Active });
            command.Parameters.Add(MembershipRows.Time(olderThan));
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            throw database.Failure($"clean up defunct silos of cluster '{clusterId}'", e);
        }
    }

    private async Task<bool> WriteVersionedAsync(MembershipEntry entry, long newVersion, string rowSql, string verb, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var bump = new NpgsqlCommand(newVersion == 1
                ? "INSERT INTO membership_version (cluster_id, version) VALUES ($1, 1) ON CONFLICT DO NOTHING"
                : "UPDATE membership_version SET version = $2 WHERE cluster_id = $1 AND version = $2 - 1", connection, transaction);
            bump.Parameters.Add(MembershipRows.Text(clusterId));
            if (newVersion != 1) bump.Parameters.Add(new NpgsqlParameter<long> { TypedValue = newVersion });
            if (newVersion < 1 || await bump.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1) return false;

            await using var row = new NpgsqlCommand(rowSql, connection, transaction);
            MembershipRows.AddRow(row, clusterId, entry);
            if (await row.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1) return false;

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (NpgsqlException e)
        {
            throw database.Failure($"{verb} silo {entry.Silo} at version {newVersion} in cluster '{clusterId}'", e);
        }
    }
}
