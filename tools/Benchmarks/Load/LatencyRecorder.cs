namespace FleaMarket.Benchmarks.Load;

/// <summary>
/// Per-call latencies in preallocated per-caller arrays (no locks, no allocation while measuring), in
/// 100 ns ticks clamped to int (214 s). Calls past a caller's capacity are counted but not recorded.
/// </summary>
internal sealed class LatencyRecorder
{
    private readonly int[][] _samples;
    private readonly int[] _counts;

    public LatencyRecorder(int callers, int capacityPerCaller)
    {
        _samples = [.. Enumerable.Range(0, callers).Select(_ => new int[capacityPerCaller])];
        _counts = new int[callers];
    }

    public void Reset() => Array.Clear(_counts);

    /// <summary>Only caller <paramref name="caller"/> writes its slot, so no synchronisation is needed.</summary>
    public void Record(int caller, TimeSpan latency)
    {
        var slot = _samples[caller];
        var n = _counts[caller]++;
        if (n < slot.Length) slot[n] = (int)Math.Min(latency.Ticks, int.MaxValue);
    }

    public long TotalCalls => _counts.Sum(c => (long)c);

    /// <summary>Callers that completed at least one call: fewer than all means the thread pool starved some.</summary>
    public int ActiveCallers => _counts.Count(c => c > 0);

    /// <summary>Merges and sorts the recorded samples (after the callers have stopped).</summary>
    public Percentiles Summarise()
    {
        var merged = new int[_samples.Select((s, i) => Math.Min(_counts[i], s.Length)).Sum()];
        var at = 0;
        for (var i = 0; i < _samples.Length; i++)
        {
            var n = Math.Min(_counts[i], _samples[i].Length);
            Array.Copy(_samples[i], 0, merged, at, n);
            at += n;
        }

        Array.Sort(merged);
        var mean = merged.Length == 0 ? TimeSpan.Zero : TimeSpan.FromTicks((long)merged.Average(t => (double)t));
        return new Percentiles(mean, At(merged, 0.50), At(merged, 0.90), At(merged, 0.99), At(merged, 0.999), merged.Length == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(merged[^1]));
    }

    private static TimeSpan At(int[] sorted, double quantile) =>
        sorted.Length == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(sorted[Math.Max(0, (int)Math.Ceiling(quantile * sorted.Length) - 1)]);
}

/// <summary>The mean next to the percentiles shows unfairness: a mean far above p99 means a few callers waited very long.</summary>
internal readonly record struct Percentiles(TimeSpan Mean, TimeSpan P50, TimeSpan P90, TimeSpan P99, TimeSpan P999, TimeSpan Max);
