using BenchmarkDotNet.Attributes;
using FleaMarket.Benchmarks.Cluster;

namespace FleaMarket.Benchmarks.Micro;

/// <summary>
/// Grain call throughput on a two-silo loopback cluster: each invocation issues <see cref="Calls"/> pings
/// from <see cref="Callers"/> concurrent callers, so the reported mean is the time per call at that load
/// (calls/s = 1 s / mean) and the allocation column is bytes per call across all threads.
/// </summary>
[Config(typeof(ShortInProcessConfig))]
public class GrainCallBenchmarks
{
    private const int Calls = 10_000;

    private BenchmarkCluster _cluster = null!;
    private EchoTransport _transport = null!;
    private CallScenario _local = null!;
    private CallScenario _crossSilo = null!;
    private CallScenario _client = null!;
    private CallScenario _echo = null!;

    [Params(128)]
    public int Callers { get; set; }

    // Synchronous on purpose: the in-process toolchain of BenchmarkDotNet 0.14 did not wait for an async
    // GlobalSetup here, so the first benchmark ran before the cluster existed.
    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => CleanupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        _cluster = await BenchmarkCluster.StartAsync(Callers);
        _transport = await EchoTransport.StartAsync();
        _local = CallScenario.ForGrains("local", _cluster.LocalTargets);
        _crossSilo = CallScenario.ForGrains("cross-silo", _cluster.CrossSiloTargets);
        _client = CallScenario.ForGrains("client", _cluster.ClientTargets);
        _echo = CallScenario.ForTransport(_transport);
    }

    private async Task CleanupAsync()
    {
        await _transport.DisposeAsync();
        await _cluster.DisposeAsync();
    }

    /// <summary>Silo A's factory to grains silo A owns: no network, arguments and result copied in memory.</summary>
    [Benchmark(OperationsPerInvoke = Calls, Baseline = true)]
    public Task Local() => _local.RunBatchAsync(Callers, Calls);

    /// <summary>Silo A's factory to grains silo B owns: JSON arguments, TCP both ways.</summary>
    [Benchmark(OperationsPerInvoke = Calls)]
    public Task CrossSilo() => _crossSilo.RunBatchAsync(Callers, Calls);

    /// <summary>Cluster client to grains on both silos: always TCP.</summary>
    [Benchmark(OperationsPerInvoke = Calls)]
    public Task Client() => _client.RunBatchAsync(Callers, Calls);

    /// <summary>The transport alone (no serializer, router or activation): the floor under a cross-silo call.</summary>
    [Benchmark(OperationsPerInvoke = Calls)]
    public Task TransportEcho() => _echo.RunBatchAsync(Callers, Calls);
}
