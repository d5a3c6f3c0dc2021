using FleaMarket.Persistence.Journals;
using FleaMarket.Persistence.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;

namespace FleaMarket.Persistence;

/// <summary>
/// Host entry points for the order journal: each registers <see cref="IJournalStorage"/> as a singleton unless the host
/// registered one first, is safe to call twice, and validates its settings when the host starts, naming the bad
/// setting. The singleton is disposed with the container: queued appends commit (or fail) first, then its
/// connections close. The schema (deploy/sql/*/200_journal.sql) must be applied before the first append.
/// </summary>
public static class JournalServiceCollectionExtensions
{
    /// <summary>Journals in PostgreSQL, appends of all grains sharing transactions.</summary>
    public static IServiceCollection AddPostgreSqlJournal(this IServiceCollection services, Action<PostgreSqlJournalOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<PostgreSqlJournalOptions>().Configure(configure);
        if (services.Any(d => d.ServiceType == typeof(PostgreSqlJournalStorage))) return services;

        services.AddOptions<PostgreSqlJournalOptions>()
            .Validate(o => !string.IsNullOrWhiteSpace(o.ConnectionString),
                $"{nameof(PostgreSqlJournalOptions)}.{nameof(PostgreSqlJournalOptions.ConnectionString)} is required (e.g. \"Host=db;Database=fleamarket;Username=app\").")
            .Validate(o => string.IsNullOrWhiteSpace(o.ConnectionString) || IsNpgsqlConnectionString(o.ConnectionString),
                $"{nameof(PostgreSqlJournalOptions)}.{nameof(PostgreSqlJournalOptions.ConnectionString)} is not a valid Npgsql connection string.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.ServiceId),
                $"{nameof(PostgreSqlJournalOptions)}.{nameof(PostgreSqlJournalOptions.ServiceId)} must not be empty.")
            .ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<PostgreSqlJournalOptions>>().Value;
            return new PostgreSqlJournalStorage(options.ConnectionString!, options.ServiceId, sp.GetRequiredService<ILogger<PostgreSqlJournalStorage>>());
        });
        services.TryAddSingleton<IJournalStorage>(sp => sp.GetRequiredService<PostgreSqlJournalStorage>());
        return services;
    }

    /// <summary>Journals in a SQLite file (WAL, one write connection with group commit), for a single silo.</summary>
    public static IServiceCollection AddSqliteJournal(this IServiceCollection services, Action<SqliteJournalOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<SqliteJournalOptions>().Configure(configure);
        if (services.Any(d => d.ServiceType == typeof(SqliteJournalStorage))) return services;

        services.AddOptions<SqliteJournalOptions>()
            .Validate(o => SqliteSettings.IsFileConnectionString(o.ConnectionString),
                $"{nameof(SqliteJournalOptions)}.{nameof(SqliteJournalOptions.ConnectionString)} {SqliteSettings.ConnectionStringRule}.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.ServiceId),
                $"{nameof(SqliteJournalOptions)}.{nameof(SqliteJournalOptions.ServiceId)} must not be empty.")
            .Validate(o => SqliteSettings.IsBusyTimeout(o.BusyTimeout),
                $"{nameof(SqliteJournalOptions)}.{nameof(SqliteJournalOptions.BusyTimeout)} {SqliteSettings.BusyTimeoutRule}.")
            .ValidateOnStart();
        services.TryAddSingleton<SqliteDatabaseRegistry>();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SqliteJournalOptions>>().Value;
            return new SqliteJournalStorage(sp.GetRequiredService<SqliteDatabaseRegistry>().Get(options.ConnectionString!, options.BusyTimeout), options.ServiceId);
        });
        services.TryAddSingleton<IJournalStorage>(sp => sp.GetRequiredService<SqliteJournalStorage>());
        return services;
    }

    /// <summary>
    /// Journals in process memory, for tests and in-process test clusters: the silos of one process with the same
    /// Orleans <see cref="ClusterOptions.ServiceId"/> share them. Nothing survives the process.
    /// </summary>
    public static IServiceCollection AddInMemoryJournal(this IServiceCollection services)
    {
        services.TryAddSingleton<IJournalStorage>(sp =>
            InMemoryJournalStorage.ForService(sp.GetService<IOptions<ClusterOptions>>()?.Value.ServiceId ?? ClusterOptions.DefaultServiceId));
        return services;
    }

    private static bool IsNpgsqlConnectionString(string connectionString)
    {
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
