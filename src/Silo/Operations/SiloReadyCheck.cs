using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FleaMarket.Silo.Operations;

/// <summary>Ready while this silo is Active in its own membership view (joining, shutting down or dead: not ready).</summary>
internal sealed class SiloReadyCheck(IClusterMembershipService membership, ILocalSiloDetails local) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var snapshot = membership.CurrentSnapshot;
        var status = snapshot.GetSiloStatus(local.SiloAddress);
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy($"Active in membership version {snapshot.Version}.")
            : HealthCheckResult.Unhealthy($"This silo is {status} in membership version {snapshot.Version}."));
    }
}
