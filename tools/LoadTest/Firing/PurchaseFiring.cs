using System.Diagnostics;
using System.Threading.Channels;
using FleaMarket.LoadTest.Api;
using FleaMarket.LoadTest.Drop;
using FleaMarket.LoadTest.Faults;
using FleaMarket.LoadTest.Measurement;
using FleaMarket.LoadTest.Setup;

namespace FleaMarket.LoadTest.Firing;

/// <summary>The outcome of the firing: every buyer's state and how the firing ended.</summary>
internal sealed record FiringResult(
    IReadOnlyList<BuyerState> Buyers, TimeSpan Elapsed, string EndedBy, TimeSpan? LastOrderAfter, RecoveryFigures? Recovery = null,
    IReadOnlyList<PurchaseFailure>? Failures = null);

/// <summary>
/// Fires the purchases: <c>concurrency</c> workers take buyers from a queue, make one purchase each and put the
/// buyer back until it is done, so the crowd interleaves like real buyers hammering the button. It stops when every
/// buyer is done or the duration is over; purchases already in flight then still get their answer, because
/// abandoning one could leave an order nobody hears about.
/// </summary>
internal sealed class PurchaseFiring(ApiClient api, DropOptions options, DropWorld world, OutcomeCounters counters, DropProgress progress)
{
    private readonly Channel<BuyerState> _queue = Channel.CreateUnbounded<BuyerState>();
    private readonly bool[] _soldOut = new bool[world.ListingIds.Count];
    private readonly Pacer _pacer = new(options.Rate);
    private readonly ListingTimeline _timeline = new(world.ListingIds.Count);
    private readonly PurchaseFailures _failures = new();
    private int _activeBuyers;

    public async Task<FiringResult> RunAsync(CancellationToken ct)
    {
        var buyers = world.Buyers.Select(b => new BuyerState(b, world.ListingIds.Count)).ToArray();
        _activeBuyers = buyers.Length;
        foreach (var buyer in buyers) _queue.Writer.TryWrite(buyer);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stop.CancelAfter(TimeSpan.FromSeconds(options.DurationSeconds));
        var step = new PurchaseStep(api, world, counters, _soldOut, PurchaseBody(options.Quantity), _timeline, _failures);
        var workers = Enumerable.Range(0, Math.Min(options.Concurrency, buyers.Length))
            .Select(_ => Task.Run(() => WorkAsync(step, stop.Token), CancellationToken.None));
        await Task.WhenAll(workers).ConfigureAwait(false);
        Interlocked.Exchange(ref counters.EndTimestamp, Stopwatch.GetTimestamp());

        var elapsed = Stopwatch.GetElapsedTime(counters.StartTimestamp);
        var endedBy = Volatile.Read(ref _activeBuyers) == 0 ? "all-buyers-done" : ct.IsCancellationRequested ? "cancelled" : "duration";
        var lastOrder = Interlocked.Read(ref counters.LastOrderTimestamp);
        var recovery = _timeline.Summarize(counters.StartTimestamp, Interlocked.Read(ref counters.EndTimestamp), world.ListingIds);
        return new FiringResult(
            buyers, elapsed, endedBy, lastOrder == 0 ? null : Stopwatch.GetElapsedTime(counters.StartTimestamp, lastOrder), recovery, _failures.Snapshot());
    }

    private async Task WorkAsync(PurchaseStep step, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            BuyerState buyer;
            try
            {
                buyer = await _queue.Reader.ReadAsync(stop).ConfigureAwait(false);
                await _pacer.WaitAsync(stop).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
            {
                return;
            }

            if (await step.RunAsync(buyer, stop).ConfigureAwait(false))
            {
                Interlocked.Increment(ref progress.BuyersDone);
                if (Interlocked.Decrement(ref _activeBuyers) == 0) _queue.Writer.TryComplete();
            }
            else
            {
                _queue.Writer.TryWrite(buyer);
            }
        }
    }

    private static byte[] PurchaseBody(int quantity) =>
        System.Text.Encoding.UTF8.GetBytes($$"""{"quantity":{{quantity}}}""");
}
