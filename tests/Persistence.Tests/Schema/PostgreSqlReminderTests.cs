using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Runtime;

namespace FleaMarket.Persistence.Tests.Schema;

/// <summary>Orleans' ADO.NET reminder table on our PostgreSQL schema, applied by the silo hook on an empty database.</summary>
[Collection(PostgreSqlSchemaCollection.Name)]
public sealed class PostgreSqlReminderTests(PostgreSqlServerFixture postgres)
{
    [Fact]
    public async Task Reminder_RegisteredByGrain_IsStoredReadBackAndUnregistered()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await using var cluster = await PostgreSqlTestSilo.StartAsync(connectionString);
        var grain = cluster.Client.GetGrain<IReminderProbeGrain>(Guid.NewGuid().ToString("N"));
        var name = $"reminder-{Guid.NewGuid():N}";

        await grain.RegisterAsync(name);
        var registered = await grain.HasAsync(name);
        var stored = await CountRemindersAsync(connectionString, name);
        await grain.UnregisterAsync(name);

        Assert.True(registered);
        Assert.Equal(1, stored);
        Assert.False(await grain.HasAsync(name));
        Assert.Equal(0, await CountRemindersAsync(connectionString, name));
    }

    [Fact]
    public async Task ReminderTable_RowsRangesAndETags_BehaveAsOrleansExpects()
    {
        // A session time zone far from UTC: start times must still round-trip exactly (Npgsql binds the
        // provider's DbType.DateTime as timestamptz, so no zone conversion happens on the way).
        var connectionString = $"{await postgres.CreateDatabaseAsync()};Timezone=Asia/Kathmandu";
        await using var cluster = await PostgreSqlTestSilo.StartAsync(connectionString);
        var table = cluster.GetSiloServiceProvider().GetRequiredService<IReminderTable>();
        var grainId = GrainId.Create("schema-test-reminders", Guid.NewGuid().ToString("N"));
        var startAt = new DateTime(2026, 3, 1, 9, 30, 0, DateTimeKind.Utc);
        // 30 days is past int.MaxValue milliseconds: the provider then binds the period as bigint.
        var monthly = new ReminderEntry { GrainId = grainId, ReminderName = "monthly", StartAt = startAt, Period = TimeSpan.FromDays(30) };
        var hourly = new ReminderEntry { GrainId = grainId, ReminderName = "hourly", StartAt = startAt, Period = TimeSpan.FromHours(1) };

        var firstETag = await table.UpsertRow(monthly);
        var secondETag = await table.UpsertRow(monthly);
        await table.UpsertRow(hourly);
        var row = await table.ReadRow(grainId, "monthly");

        Assert.NotEqual(firstETag, secondETag);
        Assert.NotNull(row);
        Assert.Equal(secondETag, row.ETag);
        Assert.Equal(startAt, row.StartAt);
        Assert.Equal(TimeSpan.FromDays(30), row.Period);
        Assert.Equal(2, (await table.ReadRows(grainId)).Reminders.Count);

        var hash = grainId.GetUniformHashCode();
        Assert.Equal(2, (await table.ReadRows(unchecked(hash - 1), hash)).Reminders.Count);
        Assert.Equal(2, (await table.ReadRows(unchecked(hash + 1), hash)).Reminders.Count);
        Assert.Empty((await table.ReadRows(hash, unchecked(hash - 1))).Reminders);

        Assert.False(await table.RemoveRow(grainId, "monthly", firstETag!));
        Assert.True(await table.RemoveRow(grainId, "monthly", secondETag!));
        Assert.Null(await table.ReadRow(grainId, "monthly"));
    }

    private static async Task<long> CountRemindersAsync(string connectionString, string name)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM orleans_reminders WHERE reminder_name = @name", connection);
        command.Parameters.AddWithValue("name", name);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
