using System.Diagnostics;
using FleaMarket.Benchmarks.Load;
using Orleans.Placement;

namespace FleaMarket.Benchmarks.Grains;

/// <summary>
/// One closed-loop caller running inside a silo, so a local or cross-silo call is a real grain-to-grain call
/// (the continuation runs on the caller's activation, as in a grain that calls another). Each call starts from the
/// thread pool's global queue (<see cref="GlobalQueueYield"/>), as the request that makes a grain call would arrive.
/// </summary>
public interface ICallerGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Calls <paramref name="target"/> one call after another until the run is stopped, recording each latency as
    /// caller <paramref name="caller"/>. Lasts as long as the measurement, hence the long timeout.
    /// </summary>
    [ResponseTimeout("01:00:00")]
    Task CallUntilStopped(int caller, IPingGrain target);

    Task<SiloAddress> Where();
}

/// <summary>
/// Lives on the silo that first calls it (silo A, in this process) and records into the run's
/// <see cref="LoadControl"/>, a singleton of that silo shared with the benchmark.
/// </summary>
[PreferLocalPlacement]
internal sealed class CallerGrain(LoadControl control, ILocalSiloDetails silo) : Grain, ICallerGrain
{
    public async Task CallUntilStopped(int caller, IPingGrain target)
    {
        await control.ArriveAsync();
        for (var i = 0; !control.Stopping; i++)
        {
            await new GlobalQueueYield();
            var start = Stopwatch.GetTimestamp();
            await target.Ping(new PingValue(i));
            control.Recorder.Record(caller, Stopwatch.GetElapsedTime(start));
        }
    }

    public Task<SiloAddress> Where() => Task.FromResult(silo.SiloAddress);
}
