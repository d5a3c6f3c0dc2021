using FleaMarket.Runtime.Hosting;
using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.Persistence;
using FleaMarket.Runtime.PostgreSql.Hosting;
using FleaMarket.Runtime.PostgreSql.Membership;
using FleaMarket.Runtime.PostgreSql.Persistence;
using FleaMarket.Runtime.PostgreSql.Reminders;
using FleaMarket.Runtime.Reminders;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FleaMarket.Runtime.PostgreSql;

/// <summary>
/// Host entry points for the PostgreSQL providers. All of them share one <see cref="PostgreSqlOptions"/>
/// (configuration section "PostgreSql", validated at start) and one connection pool, and apply the schema
/// when the host starts. Each is safe to call twice; a registration the host made first is kept.
/// </summary>
public static class PostgreSqlServiceCollectionExtensions
{
    /// <summary>Stores the membership table of cluster <see cref="PostgreSqlOptions.ClusterId"/> in PostgreSQL.</summary>
    public static IServiceCollection AddPostgreSqlMembership(this IServiceCollection services, Action<PostgreSqlOptions>? configure = null)
    {
        services.AddPostgreSqlDatabase(configure);
        services.TryAddSingleton<IMembershipTable>(sp =>
            new PostgreSqlMembershipTable(sp.GetRequiredService<PostgreSqlDatabase>(), Options(sp).ClusterId));
        return services;
    }

    /// <summary>
    /// Registers PostgreSQL grain storage (<see cref="IGrainStorage"/>) and journal storage (<see cref="IJournalStorage"/>)
    /// as keyed singletons under <paramref name="name"/>, for service <see cref="PostgreSqlOptions.ServiceId"/>.
    /// </summary>
    public static IServiceCollection AddPostgreSqlGrainStorage(this IServiceCollection services, string name = GrainStorage.DefaultName, Action<PostgreSqlOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        services.AddPostgreSqlDatabase(configure);
        services.TryAddKeyedSingleton<IGrainStorage>(name, (sp, _) =>
            new PostgreSqlGrainStorage(sp.GetRequiredService<PostgreSqlDatabase>(), Options(sp).ServiceId, Options(sp).MaxStateBytes));
        services.TryAddKeyedSingleton<IJournalStorage>(name, (sp, _) =>
            new PostgreSqlJournalStorage(sp.GetRequiredService<PostgreSqlDatabase>(), Options(sp).ServiceId));
        return services;
    }

    /// <summary>Stores the reminders of service <see cref="PostgreSqlOptions.ServiceId"/> in PostgreSQL.</summary>
    public static IServiceCollection AddPostgreSqlReminders(this IServiceCollection services, Action<PostgreSqlOptions>? configure = null)
    {
        services.AddPostgreSqlDatabase(configure);

        // AddSilo falls back to in-memory reminders; that fallback gives way, a host's own table does not.
        services.RemoveAll<IReminderTable>(d => d.ImplementationType == typeof(InMemoryReminderTable));
        services.TryAddSingleton<IReminderTable>(sp =>
            new PostgreSqlReminderTable(sp.GetRequiredService<PostgreSqlDatabase>(), Options(sp).ServiceId));
        return services;
    }

    private static void AddPostgreSqlDatabase(this IServiceCollection services, Action<PostgreSqlOptions>? configure)
    {
        if (configure is not null) services.Configure(configure);
        if (services.Any(d => d.ServiceType == typeof(PostgreSqlDatabase))) return;

        services.AddValidatedOptions<PostgreSqlOptions>(PostgreSqlOptions.SectionName, o => o.Validate());
        services.AddSingleton(sp => new PostgreSqlDatabase(
            NpgsqlDataSource.Create(Options(sp).ConnectionString!),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<PostgreSqlDatabase>(),
            ownsDataSource: true));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SchemaMigrationHostedService>());
    }

    private static PostgreSqlOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<PostgreSqlOptions>>().Value;

    private static void RemoveAll<T>(this IServiceCollection services, Func<ServiceDescriptor, bool> match)
    {
        foreach (var descriptor in services.Where(d => d.ServiceType == typeof(T) && !d.IsKeyedService && match(d)).ToList())
        {
            services.Remove(descriptor);
        }
    }
}
