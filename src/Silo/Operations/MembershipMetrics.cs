using System.Diagnostics.Metrics;

namespace FleaMarket.Silo.Operations;

/// <summary>
/// Silo membership for /metrics (Orleans' meters count activations and calls but not who is in the cluster):
/// <c>fleamarket_silos{status}</c>, the silos of this silo's current membership view by status.
/// </summary>
internal sealed class MembershipMetrics : IDisposable
{
    public const string MeterName = "FleaMarket";
    private readonly Meter _meter;

    public MembershipMetrics(IMeterFactory meters, IClusterMembershipService membership)
    {
        _meter = meters.Create(MeterName);
        _meter.CreateObservableGauge("fleamarket_silos", () => membership.CurrentSnapshot.Members.Values
            .GroupBy(m => m.Status)
            .Select(g => new Measurement<int>(g.Count(), new KeyValuePair<string, object?>("status", g.Key.ToString().ToLowerInvariant()))),
            description: "Silos in this silo's membership view, by status.");
    }

    public void Dispose() => _meter.Dispose();
}
