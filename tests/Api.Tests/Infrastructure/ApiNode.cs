using FleaMarket.Runtime;
using FleaMarket.Runtime.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FleaMarket.Api.Tests.Infrastructure;

/// <summary>
/// One API instance (the real src/Api host in memory) whose grain calls go through its own cluster client
/// to a shared test cluster — several of these are several stateless API nodes.
/// </summary>
internal sealed class ApiNode(ClusterClient client, Action<ApiOptions>? configure = null) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<ClusterClient>();
            services.RemoveAll<IGrainFactory>();
            services.AddSingleton(client);
            services.AddSingleton<IGrainFactory>(client);
            services.Configure<ApiOptions>(o =>
            {
                o.LoginsPerAddress = 100_000;
                o.LoginsPerUsername = 1_000;
                configure?.Invoke(o);
            });
        });
    }
}
