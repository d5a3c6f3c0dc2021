using FleaMarket.Benchmarks.Grains;
using FleaMarket.Benchmarks.Load;

namespace FleaMarket.Benchmarks.Cluster;

/// <summary>
/// One kind of call to measure. Caller <c>c</c> always calls target <c>c mod n</c>: with at least as many targets as
/// callers no grain queues two callers. Every caller awaits its previous call before the next (closed loop).
/// </summary>
internal abstract class CallScenario(string name)
{
    public string Name { get; } = name;

    /// <summary>Runs caller <paramref name="caller"/> until <paramref name="control"/> says stop.</summary>
    public abstract Task RunCallerAsync(int caller, LoadControl control);

    /// <summary>Grain to grain: caller grains on silo A call <paramref name="targets"/> (on silo A: local; on silo B: cross-silo).</summary>
    public static CallScenario FromGrains(string name, ICallerGrain[] callers, IPingGrain[] targets) => new GrainCallers(name, callers, targets);

    /// <summary>An external cluster client calls <paramref name="targets"/> over its gateway connections.</summary>
    public static CallScenario FromClient(string name, IPingGrain[] targets) => new ClientCallers(name, targets);

    private sealed class GrainCallers(string name, ICallerGrain[] callers, IPingGrain[] targets) : CallScenario(name)
    {
        // The loop runs inside the caller grain; this call returns when it stops.
        public override Task RunCallerAsync(int caller, LoadControl control) =>
            callers[caller % callers.Length].CallUntilStopped(caller, targets[caller % targets.Length]);
    }

    private sealed class ClientCallers(string name, IPingGrain[] targets) : CallScenario(name)
    {
        public override async Task RunCallerAsync(int caller, LoadControl control)
        {
            var target = targets[caller % targets.Length];
            await control.ArriveAsync();
            for (var i = 0; !control.Stopping; i++)
            {
                // Each call starts from the thread pool's global queue, as a request arriving from the network would.
                // Without this a caller's next call chains through the worker's LIFO local queue, starving the other
                // callers and the sockets (see docs/benchmarks.md).
                await Task.Yield();
                var start = System.Diagnostics.Stopwatch.GetTimestamp();
                await target.Ping(new PingValue(i));
                control.Recorder.Record(caller, System.Diagnostics.Stopwatch.GetElapsedTime(start));
            }
        }
    }
}
