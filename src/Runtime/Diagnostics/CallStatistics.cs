using System.Collections.Concurrent;
using System.Diagnostics;
using FleaMarket.Runtime.Activation;

namespace FleaMarket.Runtime.Diagnostics;

/// <summary>
/// Running totals of the calls a silo served, per grain type: count, failures and total latency (from arrival
/// at the silo to completion). The dashboard turns two samples into calls/s and mean latency.
/// </summary>
internal sealed class CallStatistics
{
    private readonly ConcurrentDictionary<string, Totals> _byType = new(StringComparer.Ordinal);

    public void CallCompleted(ActivationData activation, long receivedTimestamp, bool failed)
    {
        Interlocked.Increment(ref activation.CallCount);
        var totals = _byType.GetOrAdd(activation.GrainClass.GrainType, static _ => new Totals());
        Interlocked.Increment(ref totals.Calls);
        if (failed) Interlocked.Increment(ref totals.Failures);
        Interlocked.Add(ref totals.ElapsedTicks, Stopwatch.GetElapsedTime(receivedTimestamp).Ticks);
    }

    public IReadOnlyList<GrainTypeCalls> Snapshot() =>
        [.. _byType.Select(p => new GrainTypeCalls(p.Key, Interlocked.Read(ref p.Value.Calls), Interlocked.Read(ref p.Value.Failures),
            TimeSpan.FromTicks(Interlocked.Read(ref p.Value.ElapsedTicks)).TotalMilliseconds)).OrderBy(c => c.GrainType, StringComparer.Ordinal)];

    private sealed class Totals
    {
        public long Calls;
        public long Failures;
        public long ElapsedTicks;
    }
}
