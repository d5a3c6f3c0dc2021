using System.Globalization;

namespace FleaMarket.Benchmarks.Storage;

/// <summary>
/// <c>storage</c>: Orleans' ADO.NET grain-state writes/s and the project's journal appends/s on PostgreSQL and SQLite
/// with many concurrent grains, each in a closed loop on its own row (as grains are: one writer per grain, many at once).
/// Runs are interleaved across scenarios; the summary quotes the median of each figure.
/// </summary>
internal static class StorageCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        StorageOptions options;
        try
        {
            options = StorageOptions.Parse(args);
        }
        catch (ArgumentException invalid)
        {
            await Console.Error.WriteLineAsync(invalid.Message);
            return 2;
        }

        // As src/Silo does (ThreadPoolMinThreads 64): Microsoft.Data.Sqlite's I/O blocks a pool thread for every
        // write, and 64 writers would otherwise wait on the pool's slow thread injection, not on the engine.
        ThreadPool.GetMinThreads(out _, out var completionPorts);
        ThreadPool.SetMinThreads(Math.Max(64, options.Concurrency), completionPorts);

        Console.WriteLine($"# storage: {options.Concurrency} grains, {options.WarmupSeconds} s warm-up + {options.DurationSeconds} s per run, {options.Runs} runs, " +
            $"{Environment.ProcessorCount} cores, .NET {Environment.Version}");
        var results = new List<StorageResult>();
        foreach (var name in options.Engines)
        {
            await using var engine = await StorageEngine.StartAsync(name);
            Console.WriteLine($"# {engine.Name}: {engine.Description}");
            StorageScenario[] scenarios =
            [
                StorageScenario.StateWrites(engine.State),
                StorageScenario.JournalAppends(engine.Journal, 1),
                StorageScenario.JournalAppends(engine.Journal, options.Batch),
            ];
            WriteHeader();
            for (var run = 1; run <= options.Runs; run++)
            {
                foreach (var scenario in scenarios)
                {
                    if (options.WarmupSeconds > 0) await scenario.MeasureAsync(engine.Name, options.Concurrency, TimeSpan.FromSeconds(options.WarmupSeconds));
                    var result = await scenario.MeasureAsync(engine.Name, options.Concurrency, TimeSpan.FromSeconds(options.DurationSeconds));
                    results.Add(result);
                    WriteRow(run.ToString(CultureInfo.InvariantCulture), result);
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine("# medians");
        WriteHeader();
        foreach (var group in results.GroupBy(r => (r.Engine, r.Scenario)))
        {
            var runs = group.ToList();
            WriteRow("median", new StorageResult(group.Key.Engine, group.Key.Scenario,
                Median(runs, r => r.OperationsPerSecond), Median(runs, r => r.EventsPerSecond), Median(runs, r => r.P50Ms), Median(runs, r => r.P99Ms)));
        }

        return 0;
    }

    private static void WriteHeader() => Console.WriteLine($"{"run",-7} {"engine",-11} {"scenario",-19} {"ops/s",10} {"events/s",10} {"p50 ms",8} {"p99 ms",8}");

    private static void WriteRow(string run, StorageResult r) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{run,-7} {r.Engine,-11} {r.Scenario,-19} {r.OperationsPerSecond,10:F0} {r.EventsPerSecond,10:F0} {r.P50Ms,8:F2} {r.P99Ms,8:F2}"));

    private static double Median(List<StorageResult> runs, Func<StorageResult, double> figure)
    {
        var sorted = runs.Select(figure).Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
