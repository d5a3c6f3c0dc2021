using FleaMarket.Runtime.PostgreSql;
using FleaMarket.Runtime.Redis;

namespace FleaMarket.Api;

/// <summary>
/// How a standalone API node finds the cluster (configuration "Engines:Membership"): "Gateways" (default:
/// ask the silos listed in Cluster:Gateways), "Redis" or "PostgreSql" (read the silos' membership table).
/// </summary>
internal static class Engines
{
    public static IServiceCollection AddConfiguredMembership(this IServiceCollection services, IConfiguration configuration)
    {
        var membership = configuration["Engines:Membership"] ?? "Gateways";
        switch (membership.ToLowerInvariant())
        {
            case "gateways": break;
            case "redis": services.AddRedisMembership(); break;
            case "postgresql": services.AddPostgreSqlMembership(); break;
            default: throw new InvalidOperationException($"Engines:Membership is '{membership}'; use one of Gateways, Redis, PostgreSql.");
        }

        return services;
    }
}
