using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace FleaMarket.LoadTest.Measurement;

/// <summary>Counts of the firing: requests, orders, retries, and responses per status and per problem type.</summary>
internal sealed class OutcomeCounters(int latencyCapacity)
{
    private readonly ConcurrentDictionary<string, StrongBox<long>> _statuses = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StrongBox<long>> _problems = new(StringComparer.Ordinal);
    public long Requests;
    public long Orders;
    public long Units;
    public long Retries;
    public long Unexpected;
    public long LastOrderTimestamp;

    /// <summary>Purchase answers with a 5xx status (503 included).</summary>
    public long ServerErrors;

    /// <summary>Purchases that got no HTTP answer (connection refused or reset, timeout).</summary>
    public long TransportErrors;

    public LatencyRecorder Latency { get; } = new(latencyCapacity);

    /// <summary>Stopwatch timestamp at which the last worker stopped; 0 while firing.</summary>
    public long EndTimestamp;

    /// <summary>Stopwatch timestamp of the first purchase.</summary>
    public long StartTimestamp { get; init; }

    public void Status(string status) => Increment(_statuses, status);

    public void Problem(string code) => Increment(_problems, code);

    public IReadOnlyDictionary<string, long> StatusCounts => Snapshot(_statuses);

    public IReadOnlyDictionary<string, long> ProblemCounts => Snapshot(_problems);

    private static void Increment(ConcurrentDictionary<string, StrongBox<long>> counts, string key) =>
        Interlocked.Increment(ref counts.GetOrAdd(key, static _ => new StrongBox<long>()).Value);

    private static SortedDictionary<string, long> Snapshot(ConcurrentDictionary<string, StrongBox<long>> counts) =>
        new(counts.ToDictionary(p => p.Key, p => Interlocked.Read(ref p.Value.Value)), StringComparer.Ordinal);
}
