using FleaMarket.Benchmarks.Grains;

namespace FleaMarket.Benchmarks.Cluster;

/// <summary>One kind of call to measure; <see cref="Call"/> takes the caller's index and a value to send.</summary>
internal sealed record CallScenario(string Name, Func<int, int, Task> Call)
{
    /// <summary>Caller <c>c</c> always talks to grain <c>c mod n</c>: with at least as many grains as callers no grain queues two callers.</summary>
    public static CallScenario ForGrains(string name, IPingGrain[] targets) =>
        new(name, (caller, value) => targets[caller % targets.Length].Ping(value));

    public static CallScenario ForTransport(EchoTransport transport) =>
        new("transport-echo", (_, value) => transport.RoundTripAsync(value));

    /// <summary>
    /// Issues <paramref name="totalCalls"/> calls from <paramref name="callers"/> concurrent callers, each
    /// awaiting its previous call before the next (closed loop, like request handlers would).
    /// </summary>
    public Task RunBatchAsync(int callers, int totalCalls)
    {
        var tasks = new Task[callers];
        for (var c = 0; c < callers; c++)
        {
            var calls = totalCalls / callers + (c < totalCalls % callers ? 1 : 0);
            tasks[c] = CallInSequenceAsync(c, calls);
        }

        return Task.WhenAll(tasks);
    }

    private async Task CallInSequenceAsync(int caller, int calls)
    {
        for (var i = 0; i < calls; i++)
        {
            // Start each call from the global queue, for the fairness reason LoadRun explains.
            await Task.Yield();
            await Call(caller, i);
        }
    }
}
