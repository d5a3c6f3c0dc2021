using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.PostgreSql;
using FleaMarket.Runtime.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace FleaMarket.Cluster.Tests.Engines;

/// <summary>
/// An engine's membership table built the way a host builds it (its AddXxxMembership entry point), for a
/// test cluster or for the test to read what the silos wrote.
/// </summary>
internal sealed class EngineServices : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private EngineServices(Action<IServiceCollection> register)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddLogging();
        register(services);
        _provider = services.BuildServiceProvider();
    }

    public IMembershipTable MembershipTable => _provider.GetRequiredService<IMembershipTable>();

    public static EngineServices Redis(string endpoint, string clusterId) => new(services => services.AddRedisMembership(o =>
    {
        o.Endpoint = endpoint;
        o.ClusterId = clusterId;
        o.ConnectTimeout = TimeSpan.FromSeconds(1);
        o.CommandTimeout = TimeSpan.FromSeconds(2);
        o.MaxReconnectBackoff = TimeSpan.FromMilliseconds(200);
    }));

    public static EngineServices PostgreSql(string connectionString, string clusterId) => new(services => services.AddPostgreSqlMembership(o =>
    {
        o.ConnectionString = connectionString;
        o.ClusterId = clusterId;
    }));

    public ValueTask DisposeAsync() => _provider.DisposeAsync();
}
