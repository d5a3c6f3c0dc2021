using System.Net;
using FleaMarket.Api.Hosting;
using FleaMarket.Api.Limits;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FleaMarket.Api.Tests.Infrastructure;

/// <summary>
/// One API node in memory: the same services and endpoints as src/Api (AddFleaMarketApi, MapFleaMarketApi) on
/// ASP.NET Core's test server, calling the cluster through the grain factory it is given. Several are several
/// stateless API nodes.
/// </summary>
internal sealed class ApiNode : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ApiNode(WebApplication app) => _app = app;

    public IServiceProvider Services => _app.Services;

    /// <summary>Sessions this node's cache holds.</summary>
    public int SessionsCached => Services.GetRequiredService<FleaMarket.Api.Auth.SessionCache>().Count;

    /// <summary>Whether logouts reach this node's session cache (it serves from the cache only then).</summary>
    public bool SessionCacheRegistered => Services.GetRequiredService<FleaMarket.Api.Auth.SessionRevocationSubscription>().Registered;

    /// <summary>Starts a node whose abuse limits are out of the way, unless <paramref name="configureLimits"/> sets them.</summary>
    public static async Task<ApiNode> StartAsync(
        IGrainFactory grains, Action<ApiOptions>? configure = null, Action<LimitOptions>? configureLimits = null, bool overTcp = false,
        Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        // Over TCP for what only a real server shows (chunked framing); in memory otherwise.
        if (overTcp) builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        else builder.WebHost.UseTestServer();
        builder.Services.AddSingleton(grains);
        builder.Services.AddFleaMarketApi(o =>
        {
            // Most tests read right after they write; the cache's own tests turn it back on.
            o.PublicReadCacheDuration = TimeSpan.Zero;
            configure?.Invoke(o);
        });
        builder.Services.Configure<LimitOptions>(o =>
        {
            // Every test request comes from the same (unknown) address, and many tests buy fast.
            o.LoginsPerAddress = o.LoginFailuresPerAddress = o.LoginFailuresPerUsername = o.LoginFailuresPerUsernameAndAddress = 100_000;
            o.RegistrationsPerAddress = o.PurchasesPerSecond = o.PurchaseBurst = o.ReadsPerSecond = o.ReadBurst = 100_000;
            configureLimits?.Invoke(o);
        });
        configureServices?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapFleaMarketApi();
        await app.StartAsync();
        return new ApiNode(app);
    }

    public HttpClient CreateClient() => _app.GetTestClient();

    /// <summary>Where a node started <c>overTcp</c> listens.</summary>
    public Uri Address => new(_app.Urls.First());

    /// <summary>A client whose requests arrive from <paramref name="peer"/>, as if over TCP from that address.</summary>
    public HttpClient CreateClient(IPAddress peer)
    {
        var server = _app.GetTestServer();
        return new HttpClient(server.CreateHandler(context => context.Connection.RemoteIpAddress = peer)) { BaseAddress = server.BaseAddress };
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
