using System.Diagnostics;
using FleaMarket.Benchmarks.Cluster;

namespace FleaMarket.Benchmarks.Load;

/// <summary>
/// Drives one scenario with a fixed number of closed-loop callers for a fixed time and measures, besides
/// throughput and latency, what each call costs the process: CPU time, bytes allocated, thread-pool work
/// items, GCs and lock contention (the counters dotnet-counters would show, read in-process).
/// </summary>
internal sealed class LoadRun(CallScenario scenario, int concurrency, LoadControl control)
{
    public async Task<LoadResult> MeasureAsync(TimeSpan duration)
    {
        control.Start(concurrency);
        var process = Process.GetCurrentProcess();
        var before = ProcessCounters.Read(process);
        var started = Stopwatch.GetTimestamp();
        var callers = Enumerable.Range(0, concurrency).Select(caller => scenario.RunCallerAsync(caller, control)).ToArray();
        await Task.Delay(duration);
        control.Stop();
        await Task.WhenAll(callers);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var after = ProcessCounters.Read(process);
        var calls = control.Recorder.TotalCalls;
        return new LoadResult(scenario.Name, calls, calls / elapsed.TotalSeconds, control.Recorder.ActiveCallers, control.Recorder.Summarise(), after.PerCall(before, calls));
    }
}

internal sealed record LoadResult(string Scenario, long Calls, double CallsPerSecond, int ActiveCallers, Percentiles Latency, CostPerCall Cost);

/// <summary>Process-wide cost divided by the calls made: includes the callee side, since both silos and the client share the process.</summary>
internal readonly record struct CostPerCall(double CpuMicroseconds, double AllocatedBytes, double WorkItems, long Gen0, long Gen1, long Gen2, double LockContentions);

internal readonly record struct ProcessCounters(TimeSpan Cpu, long Allocated, long WorkItems, int Gen0, int Gen1, int Gen2, long Contentions)
{
    public static ProcessCounters Read(Process process)
    {
        process.Refresh();
        return new(process.TotalProcessorTime, GC.GetTotalAllocatedBytes(precise: false), ThreadPool.CompletedWorkItemCount,
            GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), Monitor.LockContentionCount);
    }

    public CostPerCall PerCall(ProcessCounters before, long calls)
    {
        var n = Math.Max(1, calls);
        return new((Cpu - before.Cpu).TotalMicroseconds / n, (double)(Allocated - before.Allocated) / n, (double)(WorkItems - before.WorkItems) / n,
            Gen0 - before.Gen0, Gen1 - before.Gen1, Gen2 - before.Gen2, (double)(Contentions - before.Contentions) / n);
    }
}
