using System.Diagnostics;
using FleaMarket.Benchmarks.Cluster;

namespace FleaMarket.Benchmarks.Load;

/// <summary>
/// Drives one scenario with a fixed number of closed-loop callers for a fixed time and measures, besides
/// throughput and latency, what each call costs the process: CPU time, bytes allocated, thread-pool work
/// items, GCs and lock contention (the counters dotnet-counters would show, read in-process).
/// </summary>
internal sealed class LoadRun(CallScenario scenario, int concurrency, LatencyRecorder recorder)
{
    private volatile bool _stopping;

    public async Task<LoadResult> MeasureAsync(TimeSpan duration)
    {
        recorder.Reset();
        _stopping = false;
        var process = Process.GetCurrentProcess();
        var before = ProcessCounters.Read(process);
        var started = Stopwatch.GetTimestamp();
        var callers = Enumerable.Range(0, concurrency).Select(CallUntilStoppedAsync).ToArray();
        await Task.Delay(duration);
        _stopping = true;
        await Task.WhenAll(callers);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var after = ProcessCounters.Read(process);
        var calls = recorder.TotalCalls;
        return new LoadResult(scenario.Name, calls, calls / elapsed.TotalSeconds, recorder.ActiveCallers, recorder.Summarise(), after.PerCall(before, calls));
    }

    private async Task CallUntilStoppedAsync(int caller)
    {
        for (var i = 0; !_stopping; i++)
        {
            // Each call starts from the thread pool's global queue, as a request arriving from the network
            // would. Without this a caller's next call chains through the worker's LIFO local queue forever,
            // starving the other callers, socket completions and membership probes (see docs/benchmarks.md).
            await Task.Yield();
            var start = Stopwatch.GetTimestamp();
            await scenario.Call(caller, i);
            recorder.Record(caller, Stopwatch.GetElapsedTime(start));
        }
    }
}

internal sealed record LoadResult(string Scenario, long Calls, double CallsPerSecond, int ActiveCallers, Percentiles Latency, CostPerCall Cost);

/// <summary>Process-wide cost divided by the calls made: includes the callee side, since both silos share the process.</summary>
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
