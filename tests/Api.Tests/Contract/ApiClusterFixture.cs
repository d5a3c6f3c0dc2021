using FleaMarket.Api.Tests.Infrastructure;

namespace FleaMarket.Api.Tests.Contract;

/// <summary>One flea-market test cluster with one API node, shared by the tests of a class; tests use fresh users and markets.</summary>
public class ApiClusterFixture : IAsyncLifetime
{
    internal FleaMarketCluster Market { get; private set; } = null!;

    /// <summary>A new HTTP client of the first API node.</summary>
    public HttpClient NewClient() => Market.Nodes[0].CreateClient();

    public async Task InitializeAsync() => Market = await FleaMarketCluster.StartAsync(silos: 1, apiNodes: 1, configureApi: Configure);

    public async Task DisposeAsync() => await Market.DisposeAsync();

    /// <summary>API settings of this fixture's nodes; the default keeps the test infrastructure's generous login limits.</summary>
    protected virtual void Configure(ApiOptions options)
    {
    }
}

/// <summary>A cluster whose API allows three logins per username per window.</summary>
public sealed class LowUsernameLimitFixture : ApiClusterFixture
{
    public const int Limit = 3;

    protected override void Configure(ApiOptions options) => options.LoginsPerUsername = Limit;
}

/// <summary>A cluster whose API allows three logins per client address per window.</summary>
public sealed class LowAddressLimitFixture : ApiClusterFixture
{
    public const int Limit = 3;

    protected override void Configure(ApiOptions options) => options.LoginsPerAddress = Limit;
}
