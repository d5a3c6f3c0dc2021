using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace FleaMarket.Benchmarks.Micro;

/// <summary>
/// A short job run in this process: the default out-of-process toolchain regenerates and rebuilds a project
/// under the repository's strict build settings on every run, which costs a minute and buys no isolation we
/// need (each benchmark class owns its cluster). Three warm-ups and ten iterations keep the suite to minutes.
/// </summary>
internal sealed class ShortInProcessConfig : ManualConfig
{
    public ShortInProcessConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(10));
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}
