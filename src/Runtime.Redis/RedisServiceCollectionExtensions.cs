using FleaMarket.Runtime.Hosting;
using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.Redis.Membership;
using FleaMarket.Runtime.Redis.Resp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FleaMarket.Runtime.Redis;

/// <summary>Host entry points for the Redis engine.</summary>
public static class RedisServiceCollectionExtensions
{
    /// <summary>
    /// Uses Redis as the membership table (<see cref="RedisMembershipTable"/>). Settings bind from the
    /// configuration section "Redis" (<see cref="RedisOptions"/>), then <paramref name="configure"/> runs;
    /// a bad setting stops the host at start with a message naming it. Registers the table with TryAdd,
    /// so an earlier registration wins. Safe to call twice.
    /// </summary>
    public static IServiceCollection AddRedisMembership(this IServiceCollection services, Action<RedisOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddRedisConnection(configure);
        services.TryAddSingleton<IMembershipTable>(sp => new RedisMembershipTable(
            sp.GetRequiredService<RedisConnection>(),
            sp.GetRequiredService<IOptions<RedisOptions>>().Value.ClusterId));
        return services;
    }

    private static void AddRedisConnection(this IServiceCollection services, Action<RedisOptions>? configure)
    {
        // Binding registers first, so the host's configure action runs after (and over) configuration.
        if (!services.Any(d => d.ServiceType == typeof(RedisConnection)))
        {
            services.AddValidatedOptions<RedisOptions>(RedisOptions.SectionName, o => o.Validate());
            services.TryAddSingleton(TimeProvider.System);
            services.TryAddSingleton(sp => new RedisConnection(
                sp.GetRequiredService<IOptions<RedisOptions>>().Value,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetService<ILogger<RedisConnection>>()));
        }

        if (configure is not null) services.Configure(configure);
    }
}
