using FleaMarket.TestKit;
using System.Collections.Concurrent;
using FleaMarket.Runtime.Testing;
using FleaMarket.Runtime.Tests.Grains;
using FleaMarket.Runtime.Tests.Testing;

namespace FleaMarket.Runtime.Tests.Activation;

public sealed class SingleActivationChurnTests
{
    private const int GrainCount = 1000;
    private const int Callers = 32;

    [Fact]
    public async Task Calls_WhileSilosJoinStopAndDie_NeverTwoActivationsAndStateIntact()
    {
        await using var cluster = new TestCluster(ClusterFixture.NewOptions(3));
        await cluster.DeployAsync();
        var keys = Enumerable.Range(0, GrainCount).Select(i => $"churn-{Guid.NewGuid():N}-{i}").ToArray();
        var acknowledged = new ConcurrentDictionary<string, int>();
        var attempted = new ConcurrentDictionary<string, int>();
        var unexpected = new ConcurrentQueue<Exception>();
        var retriable = 0;
        using var stop = new CancellationTokenSource();

        var callers = Enumerable.Range(0, Callers).Select(c => Task.Run(async () =>
        {
            var random = new Random(c);
            while (!stop.IsCancellationRequested)
            {
                var key = keys[random.Next(keys.Length)];
                attempted.AddOrUpdate(key, 1, (_, n) => n + 1);
                try
                {
                    await cluster.Client.GetGrain<IStoredCounterGrain>(key).Increment();
                    acknowledged.AddOrUpdate(key, 1, (_, n) => n + 1);
                }
                catch (RetriableCallException)
                {
                    Interlocked.Increment(ref retriable);
                }
                catch (Exception exception)
                {
                    unexpected.Enqueue(exception);
                }
            }
        })).ToArray();

        await WaitForCallsAsync(acknowledged, 3000);
        var joined = await cluster.StartAdditionalSiloAsync();
        await WaitForCallsAsync(acknowledged, 3000);

        var leaving = cluster.Silos[0];
        await cluster.StopSiloAsync(leaving);
        await WaitForCallsAsync(acknowledged, 3000);

        var victim = cluster.Silos.First(s => s != joined);
        cluster.KillSilo(victim);
        ActivationRegistry.SiloKilled(victim.Silo.Address);
        await cluster.WaitForLivenessToStabilizeAsync();
        await WaitForCallsAsync(acknowledged, 3000);

        stop.Cancel();
        await Task.WhenAll(callers);

        var violations = ActivationRegistry.Violations.Where(v => keys.Any(v.Contains)).ToList();
        Assert.True(violations.Count == 0, string.Join("\n", violations));
        Assert.True(unexpected.IsEmpty, string.Join("\n", unexpected.Take(5)));

        // Every grain answers afterwards, and its stored count covers every acknowledged increment.
        foreach (var key in keys)
        {
            var stored = await cluster.Client.GetGrain<IStoredCounterGrain>(key).Get();
            Assert.InRange(stored, acknowledged.GetValueOrDefault(key), attempted.GetValueOrDefault(key));
        }
    }

    private static Task WaitForCallsAsync(ConcurrentDictionary<string, int> acknowledged, int more)
    {
        var target = acknowledged.Values.Sum() + more;
        return Eventually.WaitUntilAsync(() => acknowledged.Values.Sum() >= target, $"{more} more acknowledged calls", TimeSpan.FromSeconds(60));
    }
}
