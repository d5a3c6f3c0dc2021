using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace FleaMarket.Runtime.Diagnostics;

/// <summary>
/// The runtime's instruments (meter "FleaMarket.Runtime"): grain calls and their latency, activations per
/// grain type, membership changes. Exported by the hosts' /metrics endpoints.
/// </summary>
public sealed class RuntimeMetrics : IDisposable
{
    /// <summary>Name of the runtime's meter.</summary>
    public const string MeterName = "FleaMarket.Runtime";

    private readonly Meter _meter;
    private readonly Counter<long> _calls;
    private readonly Histogram<double> _callDuration;
    private readonly Counter<long> _membershipChanges;
    private readonly ConcurrentDictionary<string, StrongBox<long>> _activations = new(StringComparer.Ordinal);
    private Func<Membership.MembershipView>? _view;

    /// <summary>Creates the instruments, through <paramref name="meterFactory"/> when a host provides one.</summary>
    public RuntimeMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _calls = _meter.CreateCounter<long>("fleamarket.grain.calls", description: "Grain calls sent, by grain type and outcome.");
        _callDuration = _meter.CreateHistogram<double>("fleamarket.grain.call.duration", unit: "ms", description: "Grain call latency seen by the caller.");
        _membershipChanges = _meter.CreateCounter<long>("fleamarket.membership.changes", description: "Membership views adopted.");
        _meter.CreateObservableGauge("fleamarket.activations", ObserveActivations, description: "Live activations by grain type.");
        _meter.CreateObservableGauge("fleamarket.membership.silos", ObserveSilos, description: "Silos in this process's membership view, by status.");
        _meter.CreateObservableGauge("fleamarket.membership.version", () => _view?.Invoke().Version ?? 0, description: "Version of this process's membership view.");
    }

    /// <summary>Live activations per grain type on this process.</summary>
    public IReadOnlyDictionary<string, long> ActivationsByType =>
        _activations.ToDictionary(p => p.Key, p => Interlocked.Read(ref p.Value.Value), StringComparer.Ordinal);

    internal void CallCompleted(string grainType, string outcome, long startTimestamp)
    {
        // Building tags costs more than the call's bookkeeping; skip it when nobody listens.
        if (!_calls.Enabled && !_callDuration.Enabled) return;
        var tags = new TagList { { "grain_type", grainType }, { "outcome", outcome } };
        _calls.Add(1, tags);
        _callDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds, new KeyValuePair<string, object?>("grain_type", grainType));
    }

    internal void ActivationCreated(string grainType) => Interlocked.Increment(ref Counter(grainType).Value);

    internal void ActivationRemoved(string grainType) => Interlocked.Decrement(ref Counter(grainType).Value);

    internal void MembershipChanged() => _membershipChanges.Add(1);

    /// <summary>Reports the membership view of this process (a silo's or a client's) in the membership gauges.</summary>
    internal void ObserveMembership(Func<Membership.MembershipView> view) => _view = view;

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<int>> ObserveSilos() =>
        _view?.Invoke().Snapshot.Entries.GroupBy(e => e.Status)
            .Select(g => new Measurement<int>(g.Count(), new KeyValuePair<string, object?>("status", g.Key.ToString())))
        ?? [];

    private StrongBox<long> Counter(string grainType) => _activations.GetOrAdd(grainType, static _ => new StrongBox<long>());

    private IEnumerable<Measurement<long>> ObserveActivations() =>
        _activations.Select(p => new Measurement<long>(Interlocked.Read(ref p.Value.Value), new KeyValuePair<string, object?>("grain_type", p.Key)));

    private sealed class StrongBox<T>
    {
        public T Value = default!;
    }
}
