using System.Collections.Concurrent;
using System.Diagnostics;

namespace FleaMarket.LoadTest.Measurement;

/// <summary>A stretch of the firing during which a listing with stock left answered no purchase successfully.</summary>
internal sealed record ListingGap(string ListingId, double Seconds, double FromSeconds, double ToSeconds);

/// <summary>
/// Recovery: the longest time any listing with stock left answered no successful purchase (from the opening to its
/// first order, between two orders, or from its last order to the end of the firing when it never sold out). Times
/// are seconds since the opening.
/// </summary>
internal sealed record RecoveryFigures(double LongestGapSeconds, IReadOnlyList<ListingGap> LongestGaps, int ListingsWithGapOverOneSecond);

/// <summary>When each listing's purchases succeeded and when it was first answered sold out, for <see cref="RecoveryFigures"/>.</summary>
internal sealed class ListingTimeline
{
    private readonly ConcurrentQueue<long>[] _successes;
    private readonly long[] _soldOutAt;

    public ListingTimeline(int listings)
    {
        _successes = [.. Enumerable.Range(0, listings).Select(_ => new ConcurrentQueue<long>())];
        _soldOutAt = new long[listings];
    }

    public void Success(int listing) => _successes[listing].Enqueue(Stopwatch.GetTimestamp());

    public void SoldOut(int listing) => Interlocked.CompareExchange(ref _soldOutAt[listing], Stopwatch.GetTimestamp(), 0);

    /// <summary>The gaps of every listing between <paramref name="start"/> (the opening) and <paramref name="end"/> (the end of the firing).</summary>
    public RecoveryFigures Summarize(long start, long end, IReadOnlyList<string> listingIds)
    {
        var gaps = new List<ListingGap>();
        for (var i = 0; i < _successes.Length; i++)
        {
            var soldOut = Interlocked.Read(ref _soldOutAt[i]);
            var times = _successes[i].Order().ToList();
            times.Add(soldOut != 0 ? soldOut : end);
            var previous = start;
            ListingGap? longest = null;
            foreach (var time in times)
            {
                var gap = Stopwatch.GetElapsedTime(previous, time).TotalSeconds;
                if (longest is null || gap > longest.Seconds)
                {
                    longest = new ListingGap(listingIds[i], Round(gap), Since(start, previous), Since(start, time));
                }

                previous = time;
            }

            if (longest is not null) gaps.Add(longest);
        }

        var ordered = gaps.OrderByDescending(g => g.Seconds).ToList();
        return new RecoveryFigures(ordered.Count > 0 ? ordered[0].Seconds : 0, [.. ordered.Take(5)], ordered.Count(g => g.Seconds > 1));
    }

    private static double Since(long start, long time) => Round(Stopwatch.GetElapsedTime(start, time).TotalSeconds);

    private static double Round(double seconds) => Math.Round(seconds, 3);
}
