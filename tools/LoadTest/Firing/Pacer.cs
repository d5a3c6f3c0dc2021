using System.Diagnostics;

namespace FleaMarket.LoadTest.Firing;

/// <summary>
/// Spaces purchase starts evenly at a maximum rate shared by all workers: each start claims the next free slot on a
/// timeline and waits for it. A rate of 0 never waits.
/// </summary>
internal sealed class Pacer(int ratePerSecond)
{
    private readonly long _interval = ratePerSecond > 0 ? Math.Max(1, Stopwatch.Frequency / ratePerSecond) : 0;
    private long _nextSlot = Stopwatch.GetTimestamp();

    public ValueTask WaitAsync(CancellationToken ct)
    {
        if (_interval == 0) return ValueTask.CompletedTask;
        var now = Stopwatch.GetTimestamp();
        long slot;
        long observed;
        do
        {
            observed = Volatile.Read(ref _nextSlot);
            // An idle period does not bank credit for a later burst: slots never start in the past.
            slot = Math.Max(observed, now);
        }
        while (Interlocked.CompareExchange(ref _nextSlot, slot + _interval, observed) != observed);

        var wait = Stopwatch.GetElapsedTime(now, slot);
        return wait < TimeSpan.FromMilliseconds(1) ? ValueTask.CompletedTask : new ValueTask(Task.Delay(wait, ct));
    }
}
