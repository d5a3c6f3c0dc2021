using FleaMarket.Runtime.Hosting;
using FleaMarket.Runtime.Persistence;
using FleaMarket.Runtime.Reminders;
using FleaMarket.Runtime.Sqlite.Hosting;
using FleaMarket.Runtime.Sqlite.Persistence;
using FleaMarket.Runtime.Sqlite.Reminders;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FleaMarket.Runtime.Sqlite;

/// <summary>Host entry points for the SQLite providers (the embedded single-silo default).</summary>
public static class SqliteServiceCollectionExtensions
{
    /// <summary>
    /// Registers SQLite grain storage (<see cref="IGrainStorage"/>) and journals (<see cref="IJournalStorage"/>),
    /// keyed by <paramref name="name"/>. Settings bind from configuration section "Sqlite", then
    /// <paramref name="configure"/>; they are validated and the schema applied when the host starts.
    /// Safe to call twice; a storage a host registered under the same name first is kept.
    /// </summary>
    public static IServiceCollection AddSqliteGrainStorage(this IServiceCollection services, string name = GrainStorage.DefaultName, Action<SqliteOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        services.AddSqliteOptions(name, configure);
        services.TryAddKeyedSingleton<IGrainStorage>(name, (sp, _) =>
        {
            var options = sp.GetRequiredService<IOptionsMonitor<SqliteOptions>>().Get(name);
            return new SqliteGrainStorage(Database(sp, options), options.ServiceId, options.MaxStateBytes, sp.GetRequiredService<ILogger<SqliteGrainStorage>>());
        });
        services.TryAddKeyedSingleton<IJournalStorage>(name, (sp, _) =>
        {
            var options = sp.GetRequiredService<IOptionsMonitor<SqliteOptions>>().Get(name);
            return new SqliteJournalStorage(Database(sp, options), options.ServiceId);
        });
        return services;
    }

    /// <summary>
    /// Stores reminders (<see cref="IReminderTable"/>) in SQLite, using the settings of the default grain
    /// storage ("Sqlite" section, name <see cref="GrainStorage.DefaultName"/>) so they live in the same file
    /// as state; <paramref name="configure"/> changes those shared settings. Replaces the in-memory table
    /// that AddSilo registers as a placeholder, keeps any other a host registered. Safe to call twice.
    /// </summary>
    public static IServiceCollection AddSqliteReminders(this IServiceCollection services, Action<SqliteOptions>? configure = null)
    {
        services.AddSqliteOptions(GrainStorage.DefaultName, configure);
        var placeholder = services.FirstOrDefault(d => d.ServiceType == typeof(IReminderTable) && !d.IsKeyedService && d.ImplementationType == typeof(InMemoryReminderTable));
        if (placeholder is not null) services.Remove(placeholder);
        services.TryAddSingleton<IReminderTable>(sp =>
        {
            var options = sp.GetRequiredService<IOptionsMonitor<SqliteOptions>>().Get(GrainStorage.DefaultName);
            return new SqliteReminderTable(Database(sp, options), options.ServiceId);
        });
        return services;
    }

    private static SqliteDatabase Database(IServiceProvider services, SqliteOptions options) =>
        services.GetRequiredService<SqliteDatabaseRegistry>().Get(options);

    private static void AddSqliteOptions(this IServiceCollection services, string name, Action<SqliteOptions>? configure)
    {
        services.TryAddSingleton<SqliteDatabaseRegistry>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SqliteStartupService>());
        if (!services.Any(d => d.ImplementationInstance is SqliteRegistration r && r.Name == name))
        {
            services.AddSingleton(new SqliteRegistration(name));
            services.AddValidatedOptions<SqliteOptions>(SqliteOptions.SectionName, o => o.Validate(), name);
        }

        if (configure is not null) services.Configure(name, configure);
    }
}
