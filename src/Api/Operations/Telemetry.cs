using OpenTelemetry.Metrics;

namespace FleaMarket.Api.Operations;

/// <summary>Metrics for /metrics: OpenTelemetry with its Prometheus exporter, over Orleans' meters, ours and ASP.NET Core's.</summary>
public static class Telemetry
{
    /// <summary>Meters exported: Orleans (grain calls, activations, membership), ASP.NET Core (requests, latency), rate limiting.</summary>
    internal static readonly string[] Meters =
    [
        "Microsoft.Orleans", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.RateLimiting",
    ];

    /// <summary>Registers the metrics pipeline and the Prometheus exporter. Safe to call twice.</summary>
    public static IServiceCollection AddFleaMarketMetrics(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(MetricsMarker))) return services;
        services.AddSingleton<MetricsMarker>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(Meters).AddPrometheusExporter());
        return services;
    }

    /// <summary>Serves the Prometheus text format at /metrics.</summary>
    public static IEndpointConventionBuilder MapFleaMarketMetrics(this IEndpointRouteBuilder app) =>
        app.MapPrometheusScrapingEndpoint("/metrics").WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]));

    private sealed class MetricsMarker;
}
