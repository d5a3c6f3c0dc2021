using FleaMarket.Runtime.Client;
using FleaMarket.Runtime.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FleaMarket.Api.Operations;

/// <summary>Ready when this node knows at least one Active silo to send calls to.</summary>
internal sealed class ClusterHealthCheck(IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var view = services.GetService<ClusterClient>()?.View ?? services.GetService<Silo>()?.View;
        return Task.FromResult(view is { ActiveSilos.IsEmpty: false }
            ? HealthCheckResult.Healthy($"{view.ActiveSilos.Length} active silos (view {view.Version}).")
            : HealthCheckResult.Unhealthy("No active silo is known."));
    }
}
