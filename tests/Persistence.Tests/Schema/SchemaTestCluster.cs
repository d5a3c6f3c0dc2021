using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization.Configuration;
using Orleans.TestingHost;

namespace FleaMarket.Persistence.Tests.Schema;

/// <summary>A one-silo in-process cluster configured by the test; disposed again if it fails to start.</summary>
internal static class SchemaTestCluster
{
    public static async Task<InProcessTestCluster> StartAsync(Action<ISiloBuilder> configureSilo)
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            // A grain type without a serializer then fails the start instead of the first call.
            silo.Services.Configure<TypeManifestOptions>(options => options.EnableConfigurationAnalysis = true);
            configureSilo(silo);
        });
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }
}
