using FleaMarket.Persistence.Reminders;
using FleaMarket.Persistence.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Hosting;

namespace FleaMarket.Persistence;

/// <summary>Silo entry point for reminders kept in SQLite: Orleans ships no SQLite reminder provider.</summary>
public static class SqliteReminderSiloBuilderExtensions
{
    /// <summary>
    /// Adds Orleans reminders (<c>AddReminders</c>) stored in a SQLite file, replacing any reminder table registered
    /// before. Safe to call twice. The table (deploy/sql/sqlite/210_reminders.sql) must be applied before the silo starts.
    /// </summary>
    public static ISiloBuilder UseSqliteReminderService(this ISiloBuilder builder, Action<SqliteReminderOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.AddReminders();
        var services = builder.Services;
        services.AddOptions<SqliteReminderOptions>().Configure(configure);
        if (services.Any(d => d.ServiceType == typeof(IReminderTable) && d.ImplementationType == typeof(SqliteReminderTable))) return builder;

        services.AddOptions<SqliteReminderOptions>()
            .Validate(o => SqliteSettings.IsFileConnectionString(o.ConnectionString),
                $"{nameof(SqliteReminderOptions)}.{nameof(SqliteReminderOptions.ConnectionString)} {SqliteSettings.ConnectionStringRule}.")
            .Validate(o => SqliteSettings.IsBusyTimeout(o.BusyTimeout),
                $"{nameof(SqliteReminderOptions)}.{nameof(SqliteReminderOptions.BusyTimeout)} {SqliteSettings.BusyTimeoutRule}.")
            .ValidateOnStart();
        services.TryAddSingleton<SqliteDatabaseRegistry>();
        // Like Orleans' own Use...ReminderService: the last reminder table registered is the one the silo uses.
        services.AddSingleton<IReminderTable, SqliteReminderTable>();
        return builder;
    }
}
