using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Orleans.Configuration;

namespace FleaMarket.Benchmarks.Cluster;

/// <summary>
/// Orleans silo and client hosts for the benchmarks: loopback TCP on free ports (never Orleans' defaults 11111 and
/// 30000, which other processes on a shared machine use), development clustering, warnings only in the log.
/// </summary>
internal static class OrleansHosts
{
    /// <summary>A silo's two listening endpoints.</summary>
    public sealed record Endpoints(IPEndPoint Silo, IPEndPoint Gateway)
    {
        public static Endpoints Free() => new(new IPEndPoint(IPAddress.Loopback, FreePort()), new IPEndPoint(IPAddress.Loopback, FreePort()));
    }

    /// <summary>
    /// Builds a silo named <paramref name="name"/> on <paramref name="endpoints"/>; <paramref name="primary"/> holds the
    /// development membership table (a silo passing its own silo endpoint is the primary).
    /// </summary>
    public static IHost BuildSilo(string clusterId, string name, Endpoints endpoints, IPEndPoint primary, Action<ISiloBuilder>? configure = null)
    {
        var builder = NewBuilder();
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = "fleamarket-bench";
            });
            silo.Configure<SiloOptions>(o => o.SiloName = name);
            silo.Configure<EndpointOptions>(o =>
            {
                o.AdvertisedIPAddress = IPAddress.Loopback;
                o.SiloPort = endpoints.Silo.Port;
                o.GatewayPort = endpoints.Gateway.Port;
                o.SiloListeningEndpoint = endpoints.Silo;
                o.GatewayListeningEndpoint = endpoints.Gateway;
            });
            silo.UseDevelopmentClustering(primary);
            configure?.Invoke(silo);
        });
        return builder.Build();
    }

    /// <summary>Builds an external client that connects to <paramref name="gateways"/>.</summary>
    public static IHost BuildClient(string clusterId, params IPEndPoint[] gateways)
    {
        var builder = NewBuilder();
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = "fleamarket-bench";
            });
            client.UseStaticClustering(gateways);
        });
        return builder.Build();
    }

    private static HostApplicationBuilder NewBuilder()
    {
        // No appsettings, environment variables or command line: a benchmark must not pick up a developer's settings.
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        // Warnings only, and on stderr: stdout stays the Markdown tables.
        builder.Services.AddLogging(logging => logging
            .AddSimpleConsole(o => o.SingleLine = true)
            .SetMinimumLevel(LogLevel.Warning));
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        return builder;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
