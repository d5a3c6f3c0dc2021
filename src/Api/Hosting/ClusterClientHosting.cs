using FleaMarket.Runtime.Hosting;
using System.Net;
using FleaMarket.Runtime;
using FleaMarket.Runtime.Client;
using FleaMarket.Runtime.Diagnostics;
using FleaMarket.Runtime.Membership;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FleaMarket.Api.Hosting;

/// <summary>Cluster connection settings of a standalone API node (configuration section "Cluster").</summary>
public sealed class ClusterConnectionOptions
{
    public const string SectionName = "Cluster";

    /// <summary>
    /// Silo endpoints ("127.0.0.1:11111") to learn the view through, used when no membership table is registered.
    /// Default: the embedded silo's port on loopback.
    /// </summary>
    public List<string> Gateways { get; set; } = ["127.0.0.1:11111"];

    internal IReadOnlyList<IPEndPoint> ParseGateways() => [.. Gateways.Select(g => IPEndPoint.TryParse(g, out var endpoint)
        ? endpoint
        : throw new InvalidOperationException($"Cluster:Gateways entry '{g}' is not an IP endpoint (address:port)."))];
}

public static class ClusterClientHosting
{
    /// <summary>
    /// Connects this process to the cluster as a client: through the registered membership table (Redis or
    /// PostgreSQL) if there is one, otherwise through the configured gateway silos. The client becomes the
    /// <see cref="IGrainFactory"/>; it connects in the background so the API starts even before the cluster.
    /// </summary>
    public static IServiceCollection AddFleaMarketClusterClient(this IServiceCollection services)
    {
        services.AddValidatedOptions<ClusterConnectionOptions>(ClusterConnectionOptions.SectionName, o => o.ParseGateways());
        services.TryAddSingleton(sp => new RuntimeMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton(sp =>
        {
            var table = sp.GetService<IMembershipTable>();
            var metrics = sp.GetRequiredService<RuntimeMetrics>();
            var loggers = sp.GetRequiredService<ILoggerFactory>();
            return table is not null
                ? new ClusterClient(table, loggers: loggers, metrics: metrics)
                : new ClusterClient(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<ClusterConnectionOptions>>().Value.ParseGateways(),
                    loggers: loggers, metrics: metrics);
        });
        services.TryAddSingleton<IGrainFactory>(sp => sp.GetRequiredService<ClusterClient>());
        services.AddHostedService<ClusterClientConnector>();
        return services;
    }
}

/// <summary>Keeps trying to connect the client until the cluster answers or the host stops.</summary>
internal sealed partial class ClusterClientConnector(ClusterClient client, ILogger<ClusterClientConnector> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await client.ConnectAsync(stoppingToken);
                LogConnected(logger, client.View.ActiveSilos.Length);
                return;
            }
            catch (Exception exception) when (exception is TimeoutException or RetriableCallException)
            {
                LogWaiting(logger, exception.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to the cluster: {ActiveSilos} active silos")]
    private static partial void LogConnected(ILogger logger, int activeSilos);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster not reachable yet: {Reason}")]
    private static partial void LogWaiting(ILogger logger, string reason);
}
