using System.Reflection;
using FleaMarket.Runtime.Activation;
using FleaMarket.Runtime.Diagnostics;
using FleaMarket.Runtime.Invocation;
using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.Persistence;
using FleaMarket.Runtime.Reminders;
using FleaMarket.Runtime.Transport;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FleaMarket.Runtime.Hosting;

/// <summary>Host entry points for running a silo.</summary>
public static class SiloServiceCollectionExtensions
{
    /// <summary>
    /// Adds a silo that starts and stops with the host. Settings bind from the configuration sections
    /// "Silo", "Membership", "Messaging", "Catalog", "Router" and "Reminders" and are validated at start.
    /// Register a membership table, grain storage and grain classes as well. Safe to call twice.
    /// </summary>
    public static IServiceCollection AddSilo(this IServiceCollection services, Action<SiloOptions>? configure = null)
    {
        services.AddRuntimeOptions();
        if (configure is not null) services.Configure(configure);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new RuntimeMetrics(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton(sp => new GrainClassRegistry(sp.GetServices<GrainClassRegistration>().Select(r => r.ClassType)));
        services.TryAddSingleton<IReminderTable, InMemoryReminderTable>();
        services.TryAddSingleton(sp => new Silo(
            sp,
            sp.GetRequiredService<IMembershipTable>(),
            sp.GetRequiredService<GrainClassRegistry>(),
            sp.GetRequiredService<IOptions<SiloOptions>>(),
            sp.GetRequiredService<IOptions<ClusterMembershipOptions>>(),
            sp.GetRequiredService<IOptions<MessagingOptions>>(),
            sp.GetRequiredService<IOptions<CatalogOptions>>(),
            sp.GetRequiredService<IOptions<RouterOptions>>(),
            sp.GetRequiredService<IOptions<ReminderOptions>>(),
            sp.GetRequiredService<IReminderTable>(),
            sp.GetRequiredService<RuntimeMetrics>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>()));
        services.TryAddSingleton(sp => sp.GetRequiredService<Silo>().GrainFactory);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, SiloHostedService>());
        return services;
    }

    /// <summary>Registers every concrete grain class of <paramref name="assemblies"/>.</summary>
    public static IServiceCollection AddGrainsFrom(this IServiceCollection services, params Assembly[] assemblies)
    {
        foreach (var type in assemblies.SelectMany(GrainClassRegistry.GrainClassesIn)) services.AddGrain(type);
        return services;
    }

    /// <summary>Registers one grain class.</summary>
    public static IServiceCollection AddGrain(this IServiceCollection services, Type grainClass)
    {
        if (!services.Any(d => d.ImplementationInstance is GrainClassRegistration r && r.ClassType == grainClass))
        {
            services.AddSingleton(new GrainClassRegistration(grainClass));
        }

        return services;
    }

    /// <summary>Uses an in-memory membership table (a single process: tests and one-silo setups).</summary>
    public static IServiceCollection AddInMemoryMembership(this IServiceCollection services, InMemoryMembershipTable? table = null)
    {
        services.TryAddSingleton<IMembershipTable>(table ?? new InMemoryMembershipTable());
        return services;
    }

    /// <summary>Registers an in-memory grain storage provider under <paramref name="name"/>.</summary>
    public static IServiceCollection AddInMemoryGrainStorage(this IServiceCollection services, string name = GrainStorage.DefaultName, InMemoryGrainStorage? storage = null)
    {
        services.TryAddKeyedSingleton<IGrainStorage>(name, storage ?? new InMemoryGrainStorage());
        return services;
    }

    /// <summary>Registers an in-memory journal provider under <paramref name="name"/>.</summary>
    public static IServiceCollection AddInMemoryJournalStorage(this IServiceCollection services, string name = GrainStorage.DefaultName, InMemoryJournalStorage? journal = null)
    {
        services.TryAddKeyedSingleton<IJournalStorage>(name, journal ?? new InMemoryJournalStorage());
        return services;
    }

    internal static IServiceCollection AddRuntimeOptions(this IServiceCollection services)
    {
        services.AddValidatedOptions<SiloOptions>(SiloOptions.SectionName, o => o.Validate());
        services.AddValidatedOptions<ClusterMembershipOptions>(ClusterMembershipOptions.SectionName, o => o.Validate());
        services.AddValidatedOptions<MessagingOptions>("Messaging", o => o.Validate());
        services.AddValidatedOptions<CatalogOptions>("Catalog", o => o.Validate());
        services.AddValidatedOptions<RouterOptions>("Router", o => o.Validate());
        services.AddValidatedOptions<ReminderOptions>(ReminderOptions.SectionName, o => o.Validate());
        return services;
    }

}

/// <summary>A grain class registered with <see cref="SiloServiceCollectionExtensions.AddGrain"/>.</summary>
internal sealed record GrainClassRegistration(Type ClassType);

/// <summary>Starts the silo with the host and leaves the cluster gracefully when the host stops.</summary>
internal sealed class SiloHostedService(Silo silo) : Microsoft.Extensions.Hosting.IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => silo.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => silo.StopAsync(cancellationToken);
}
