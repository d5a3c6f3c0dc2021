using System.Net;
using FleaMarket.Api.Limits;
using FleaMarket.Api.Tests.Infrastructure;

namespace FleaMarket.Api.Tests.Contract;

/// <summary>One flea-market test cluster with one API node, shared by the tests of a class; tests use fresh users and markets.</summary>
public class ApiClusterFixture : IAsyncLifetime
{
    private static int s_nextPeer;

    internal FleaMarketCluster Market { get; private set; } = null!;

    /// <summary>A new HTTP client of the first API node.</summary>
    public HttpClient NewClient() => Market.Nodes[0].CreateClient();

    /// <summary>A new HTTP client of the first API node whose requests come from <paramref name="peer"/>.</summary>
    public HttpClient NewClient(IPAddress peer) => Market.Nodes[0].CreateClient(peer);

    /// <summary>An address no other test uses, so per-address limits of one test never touch another's.</summary>
    public static IPAddress NewPeer()
    {
        var n = Interlocked.Increment(ref s_nextPeer);
        return new IPAddress([10, (byte)(n >> 16), (byte)(n >> 8), (byte)n]);
    }

    public async Task InitializeAsync() =>
        Market = await FleaMarketCluster.StartAsync(silos: 1, apiNodes: 1, configureApi: Configure, configureLimits: ConfigureLimits);

    public async Task DisposeAsync() => await Market.DisposeAsync();

    /// <summary>API settings of this fixture's nodes.</summary>
    protected virtual void Configure(ApiOptions options)
    {
    }

    /// <summary>Rate limits of this fixture's nodes; the default keeps the test infrastructure's generous limits.</summary>
    protected virtual void ConfigureLimits(LimitOptions limits)
    {
    }
}

/// <summary>A cluster with small limits, each a different number so a test can tell which one answered; 10.200.0.1 is a trusted proxy.</summary>
public sealed class LowLimitsFixture : ApiClusterFixture
{
    public const int LoginsPerAddress = 12;
    public const int FailuresPerUsernameAndAddress = 3;
    public const int FailuresPerAddress = 5;
    public const int FailuresPerUsername = 8;
    public const int RegistrationsPerAddress = 4;
    public const int PurchaseBurst = 6;
    public const int ReadBurst = 7;
    public static readonly IPAddress Proxy = IPAddress.Parse("10.200.0.1");

    protected override void Configure(ApiOptions options) => options.TrustedProxies = [Proxy.ToString()];

    protected override void ConfigureLimits(LimitOptions limits)
    {
        limits.LoginsPerAddress = LoginsPerAddress;
        limits.LoginFailuresPerUsernameAndAddress = FailuresPerUsernameAndAddress;
        limits.LoginFailuresPerAddress = FailuresPerAddress;
        limits.LoginFailuresPerUsername = FailuresPerUsername;
        limits.RegistrationsPerAddress = RegistrationsPerAddress;
        limits.PurchasesPerSecond = 1;
        limits.PurchaseBurst = PurchaseBurst;
        limits.ReadsPerSecond = 1;
        limits.ReadBurst = ReadBurst;
    }
}

/// <summary>A cluster whose API nodes cache public reads for a second, as in production.</summary>
public sealed class CachedReadsFixture : ApiClusterFixture
{
    protected override void Configure(ApiOptions options) => options.PublicReadCacheDuration = TimeSpan.FromSeconds(1);
}

/// <summary>A cluster whose API nodes cache public reads for a minute, so a test can see the cached copy for sure.</summary>
public sealed class LongCachedReadsFixture : ApiClusterFixture
{
    protected override void Configure(ApiOptions options) => options.PublicReadCacheDuration = TimeSpan.FromMinutes(1);
}
