using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;

namespace FleaMarket.Api.Feed;

/// <summary>
/// One event-stream reader's mailbox: what it has not been sent yet, coalesced. It holds at most one market
/// snapshot and one value per listing, however slowly the reader reads, and posting never waits: the node's fan-out
/// (and everything behind it) never depends on a reader. A snapshot replaces everything pending before it.
/// </summary>
internal sealed class FeedReader : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, FeedEvent> _listings = new(StringComparer.Ordinal);
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<FeedReader> _onDispose;
    private FeedEvent? _market;
    private bool _ended;
    private int _disposed;

    public FeedReader(Action<FeedReader> onDispose) => _onDispose = onDispose;

    /// <summary>Values waiting to be sent: a snapshot counts one, each listing one. Bounded by the market's listings.</summary>
    public int Pending
    {
        get
        {
            lock (_gate) return (_market is null ? 0 : 1) + _listings.Count;
        }
    }

    public void PostMarket(FeedEvent market)
    {
        lock (_gate)
        {
            _market = market;
            _listings.Clear();
        }

        Signal();
    }

    public void PostListing(FeedEvent listing)
    {
        lock (_gate) _listings[listing.Key] = listing;
        Signal();
    }

    /// <summary>Ends the stream once what is pending is sent (the node shuts down, or the market's feed ended).</summary>
    public void End()
    {
        lock (_gate) _ended = true;
        Signal();
    }

    /// <summary>
    /// The events for this reader until it goes away or <see cref="End"/>: a <c>market</c> event for a snapshot,
    /// <c>listing</c> events, and a <c>ping</c> with empty data after <paramref name="keepAlive"/> of silence.
    /// </summary>
    public async IAsyncEnumerable<SseItem<string>> ReadAllAsync(
        TimeSpan keepAlive, TimeProvider time, CancellationToken stopping, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, cancellationToken);
        var id = 0L;
        try
        {
            while (true)
            {
                var signalled = await WaitAsync(keepAlive, time, linked.Token);
                if (signalled is null) yield break;
                var (market, listings, ended) = Take();
                if (market is not null) yield return Item(market.Data, market.Type, ++id);
                foreach (var listing in listings) yield return Item(listing.Data, listing.Type, ++id);
                if (ended) yield break;
                if (signalled is false) yield return Item(string.Empty, "ping", ++id);
            }
        }
        finally
        {
            Dispose();
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _onDispose(this);
    }

    private static SseItem<string> Item(string data, string type, long id) =>
        new(data, type) { EventId = id.ToString(CultureInfo.InvariantCulture) };

    /// <summary>True when something is pending, false after the keep-alive period, null when the reader went away or the node stops.</summary>
    private async Task<bool?> WaitAsync(TimeSpan keepAlive, TimeProvider time, CancellationToken cancellationToken)
    {
        Task wake;
        lock (_gate)
        {
            if (_market is not null || _listings.Count > 0 || _ended) return true;
            wake = _wake.Task;
        }

        try
        {
            await wake.WaitAsync(keepAlive, time, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private (FeedEvent? Market, FeedEvent[] Listings, bool Ended) Take()
    {
        lock (_gate)
        {
            var taken = (_market, _listings.Values.ToArray(), _ended);
            _market = null;
            _listings.Clear();
            if (_wake.Task.IsCompleted) _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
            return taken;
        }
    }

    // A reader that is behind wakes once and takes everything pending.
    private void Signal()
    {
        lock (_gate) _wake.TrySetResult();
    }
}

