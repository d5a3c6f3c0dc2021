using System.Diagnostics;
using FleaMarket.Persistence.Journals;
using Orleans.Storage;

namespace FleaMarket.Benchmarks.Storage;

/// <summary>What one grain does in a closed loop: write its state with its ETag, or append to its journal.</summary>
internal abstract class StorageScenario(string name, int eventsPerOperation)
{
    public string Name { get; } = name;

    public int EventsPerOperation { get; } = eventsPerOperation;

    /// <summary>One worker per grain; each counts its operations and records each latency until the deadline.</summary>
    public async Task<StorageResult> MeasureAsync(string engine, int concurrency, TimeSpan duration)
    {
        var latencies = new List<long>[concurrency];
        var stopwatch = Stopwatch.StartNew();
        var deadline = stopwatch.Elapsed + duration;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(i => Task.Run(async () =>
        {
            var mine = latencies[i] = new List<long>(4096);
            var worker = CreateWorker(i);
            while (stopwatch.Elapsed < deadline)
            {
                var start = Stopwatch.GetTimestamp();
                await worker();
                mine.Add(Stopwatch.GetTimestamp() - start);
            }
        })));
        var elapsed = stopwatch.Elapsed;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        double Percentile(double p) => all.Length == 0 ? 0 : all[(int)Math.Min(all.Length - 1, p * all.Length)] * 1000.0 / Stopwatch.Frequency;
        return new StorageResult(engine, Name, all.Length / elapsed.TotalSeconds, all.Length * EventsPerOperation / elapsed.TotalSeconds,
            Percentile(0.5), Percentile(0.99));
    }

    protected abstract Func<Task> CreateWorker(int index);

    /// <summary>A key no earlier run or scenario used, so every run starts from empty rows.</summary>
    protected static string NewKey(int index) => $"{index}-{Guid.NewGuid():N}";

    public static StorageScenario StateWrites(IGrainStorage storage) => new StateWriteScenario(storage);

    public static StorageScenario JournalAppends(IJournalStorage journal, int batch) => new JournalAppendScenario(journal, batch);

    private sealed class StateWriteScenario(IGrainStorage storage) : StorageScenario("state-write", 1)
    {
        protected override Func<Task> CreateWorker(int index)
        {
            var grain = GrainId.Create("benchlisting", NewKey(index));
            var listing = BenchListingState.Sample();
            var state = new GrainState<BenchListingState>(listing);
            return () =>
            {
                listing.Sold++;
                listing.Remaining--;
                return storage.WriteStateAsync("listing", grain, state, CancellationToken.None);
            };
        }
    }

    private sealed class JournalAppendScenario(IJournalStorage journal, int batch) : StorageScenario(batch == 1 ? "journal-append" : $"journal-append-{batch}", batch)
    {
        protected override Func<Task> CreateWorker(int index)
        {
            var stream = NewKey(index);
            long length = 0;
            var events = Enumerable.Range(0, EventsPerOperation).Select(i => BenchOrder.Sample(i)).ToArray();
            return async () => length = await journal.AppendAsync("orders", stream, length, events);
        }
    }
}

/// <summary>Figures of one measured run.</summary>
internal sealed record StorageResult(string Engine, string Scenario, double OperationsPerSecond, double EventsPerSecond, double P50Ms, double P99Ms);

/// <summary>About the size of a listing's state: counters and the recent idempotency keys (~0.4 KB).</summary>
[GenerateSerializer, Alias("bench.listing-state")]
public sealed class BenchListingState
{
    [Id(0)]
    public int Remaining { get; set; }

    [Id(1)]
    public int Sold { get; set; }

    [Id(2)]
    public long PriceCents { get; set; }

    [Id(3)]
    public List<string> RecentKeys { get; set; } = [];

    public static BenchListingState Sample() => new()
    {
        Remaining = 1_000_000,
        PriceCents = 1500,
        RecentKeys = [.. Enumerable.Range(0, 12).Select(_ => Guid.NewGuid().ToString("N"))],
    };
}

/// <summary>The fields of one order event (FleaMarket.Grains.Order), stored by the journal as System.Text.Json.</summary>
internal sealed record BenchOrder(string OrderId, string ListingId, string MarketId, string BuyerId, int Quantity, long UnitPriceCents, long TotalCents, DateTimeOffset CreatedAt)
{
    public static BenchOrder Sample(int i) =>
        new($"o-{Guid.NewGuid():N}", $"listing-{Guid.NewGuid():N}", $"market-{Guid.NewGuid():N}", $"buyer-{i}", 1, 1500, 1500, DateTimeOffset.UtcNow);
}
