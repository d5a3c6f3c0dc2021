using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FleaMarket.Api.Operations;

/// <summary>
/// Ready when a call into the cluster answers: the management grain lists the active silos. Works the same
/// through an API node's client and inside a silo that serves the API.
/// </summary>
internal sealed class ClusterHealthCheck(IGrainFactory grains) : IHealthCheck
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var silos = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(Budget, cancellationToken);
            return silos.Count > 0
                ? HealthCheckResult.Healthy($"{silos.Count} active silos.")
                : HealthCheckResult.Unhealthy("No active silo is known.");
        }
        catch (Exception exception) when (Hosting.ApiHosting.IsUnavailable(exception))
        {
            return HealthCheckResult.Unhealthy($"The cluster does not answer: {exception.Message}");
        }
    }
}
