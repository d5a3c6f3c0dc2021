using System.Diagnostics;

namespace FleaMarket.LoadTest.Measurement;

/// <summary>
/// Per-request latencies in a preallocated array of microseconds: recording is one interlocked increment and a
/// store, with no allocation and no lock on the hot path. Samples beyond the capacity are counted, not stored.
/// </summary>
internal sealed class LatencyRecorder(int capacity)
{
    private readonly int[] _micros = new int[capacity];
    private int _count;

    public void Record(long startTimestamp) => Record(Stopwatch.GetElapsedTime(startTimestamp));

    public void Record(TimeSpan elapsed)
    {
        var index = Interlocked.Increment(ref _count) - 1;
        if (index < _micros.Length) _micros[index] = (int)Math.Min(elapsed.Ticks / 10, int.MaxValue);
    }

    /// <summary>Percentiles by nearest rank over every stored sample; call once recording has stopped.</summary>
    public LatencySummary Summarize()
    {
        var total = Volatile.Read(ref _count);
        var stored = Math.Min(total, _micros.Length);
        if (stored == 0) return new LatencySummary(0, 0, 0, 0, 0, 0, 0, total);
        var samples = _micros.AsSpan(0, stored);
        samples.Sort();
        double sum = 0;
        foreach (var sample in samples) sum += sample;
        return new LatencySummary(
            Millis(Rank(samples, 0.50)), Millis(Rank(samples, 0.90)), Millis(Rank(samples, 0.99)), Millis(samples[^1]),
            Math.Round(sum / stored / 1000, 3), Millis(samples[0]), stored, total - stored);
    }

    private static int Rank(Span<int> sorted, double quantile) =>
        sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static double Millis(int micros) => Math.Round(micros / 1000.0, 3);
}

/// <summary>Latency figures in milliseconds.</summary>
internal sealed record LatencySummary(
    double P50, double P90, double P99, double Max, double Mean, double Min, int Samples, int SamplesNotStored);
