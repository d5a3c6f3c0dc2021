using FleaMarket.Api.Hosting;
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

    public static async Task<ApiNode> StartAsync(IGrainFactory grains, Action<ApiOptions>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.WebHost.UseTestServer();
        builder.Services.AddSingleton(grains);
        builder.Services.AddFleaMarketApi(o =>
        {
            o.LoginsPerAddress = 100_000;
            o.LoginsPerUsername = 1_000;
            configure?.Invoke(o);
        });
        var app = builder.Build();
        app.MapFleaMarketApi();
        await app.StartAsync();
        return new ApiNode(app);
    }

    public HttpClient CreateClient() => _app.GetTestClient();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
