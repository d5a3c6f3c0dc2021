using System.Globalization;
using System.Reflection;
using FleaMarket.Benchmarks.Cluster;

namespace FleaMarket.Benchmarks.Load;

/// <summary>
/// <c>calls</c>: fixed-duration load with latency percentiles, which BenchmarkDotNet (means only) does not give.
/// Runs are interleaved across scenarios so a noisy moment on the machine does not hit one scenario's every run.
/// </summary>
internal static class LoadCommand
{
    // Enough room for two million calls a second per run before recording stops (counting goes on).
    private const int RecordableCallsPerSecond = 2_000_000;

    private static string OrleansVersion =>
        typeof(IGrainFactory).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+', ' ')[0].TrimEnd('.') ?? "?";

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        LoadOptions options;
        try
        {
            options = LoadOptions.Parse(args);
        }
        catch (ArgumentException invalid)
        {
            await Console.Error.WriteLineAsync(invalid.Message);
            return 2;
        }

        var capacity = (int)Math.Max(1024, (long)RecordableCallsPerSecond * options.DurationSeconds / options.Concurrency);
        var control = new LoadControl(new LatencyRecorder(options.Concurrency, capacity));
        await using var cluster = await BenchmarkCluster.StartAsync(options.Concurrency, control);
        var scenarios = options.Scenarios.Select(name => name switch
        {
            "local" => CallScenario.FromGrains(name, cluster.Callers, cluster.LocalTargets),
            "cross-silo" => CallScenario.FromGrains(name, cluster.Callers, cluster.CrossSiloTargets),
            _ => CallScenario.FromClient(name, cluster.ClientTargets),
        }).ToList();

        Console.WriteLine($"# calls: {options.Concurrency} callers, {options.WarmupSeconds} s warm-up + {options.DurationSeconds} s per run, {options.Runs} runs, " +
            $"{Environment.ProcessorCount} cores, .NET {Environment.Version}, Orleans {OrleansVersion}, server GC {System.Runtime.GCSettings.IsServerGC}");
        LoadReport.WriteHeader();
        var results = new List<LoadResult>();
        var notes = new List<string>();
        for (var run = 1; run <= options.Runs; run++)
        {
            foreach (var scenario in scenarios)
            {
                var load = new LoadRun(scenario, options.Concurrency, control);
                if (options.WarmupSeconds > 0) await load.MeasureAsync(TimeSpan.FromSeconds(options.WarmupSeconds));
                var result = await load.MeasureAsync(TimeSpan.FromSeconds(options.DurationSeconds));
                if (cluster.EnsureBothSilosActive() is { } note) notes.Add($"# note after {scenario.Name} run {run}: {note}");
                results.Add(result);
                LoadReport.WriteRow(run.ToString(CultureInfo.InvariantCulture), result);
            }
        }

        Console.WriteLine();
        notes.ForEach(Console.WriteLine);
        Console.WriteLine("# medians");
        LoadReport.WriteHeader();
        foreach (var scenario in scenarios)
        {
            LoadReport.WriteRow("median", LoadReport.Median([.. results.Where(r => r.Scenario == scenario.Name)]));
        }

        return 0;
    }
}
