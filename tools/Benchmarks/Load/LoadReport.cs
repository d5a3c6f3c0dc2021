using System.Globalization;

namespace FleaMarket.Benchmarks.Load;

/// <summary>Prints results as a Markdown table, ready to paste into docs/benchmarks.md.</summary>
internal static class LoadReport
{
    public static void WriteHeader()
    {
        Console.WriteLine("| scenario | run | callers active | calls/s | mean µs | p50 µs | p90 µs | p99 µs | p99.9 µs | max µs | CPU µs/call | alloc B/call | pool items/call | GC 0/1/2 | contentions/call |");
        Console.WriteLine("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    }

    public static void WriteRow(string run, LoadResult r)
    {
        var c = r.Cost;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {r.Scenario} | {run} | {r.ActiveCallers} | {r.CallsPerSecond:N0} | {Us(r.Latency.Mean)} | {Us(r.Latency.P50)} | {Us(r.Latency.P90)} | {Us(r.Latency.P99)} | {Us(r.Latency.P999)} | {Us(r.Latency.Max)} | " +
            $"{c.CpuMicroseconds:F2} | {c.AllocatedBytes:N0} | {c.WorkItems:F2} | {c.Gen0}/{c.Gen1}/{c.Gen2} | {c.LockContentions:F3} |"));
    }

    /// <summary>The median of each figure on its own (not the figures of the median run).</summary>
    public static LoadResult Median(IReadOnlyList<LoadResult> runs)
    {
        double Mid(Func<LoadResult, double> pick) => runs.Select(pick).Order().ElementAt(runs.Count / 2);
        TimeSpan MidTime(Func<Percentiles, TimeSpan> pick) => TimeSpan.FromTicks((long)Mid(r => pick(r.Latency).Ticks));
        return new LoadResult(
            runs[0].Scenario,
            (long)Mid(r => r.Calls),
            Mid(r => r.CallsPerSecond),
            (int)Mid(r => r.ActiveCallers),
            new Percentiles(MidTime(p => p.Mean), MidTime(p => p.P50), MidTime(p => p.P90), MidTime(p => p.P99), MidTime(p => p.P999), MidTime(p => p.Max)),
            new CostPerCall(Mid(r => r.Cost.CpuMicroseconds), Mid(r => r.Cost.AllocatedBytes), Mid(r => r.Cost.WorkItems),
                (long)Mid(r => r.Cost.Gen0), (long)Mid(r => r.Cost.Gen1), (long)Mid(r => r.Cost.Gen2), Mid(r => r.Cost.LockContentions)));
    }

    private static string Us(TimeSpan t) => t.TotalMicroseconds.ToString("N0", CultureInfo.InvariantCulture);
}
