using System.Text.Json;
using FleaMarket.Grains;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace FleaMarket.Api.Feed;

/// <summary>
/// The markets this API node streams: one subscription to a market's hub grain per market, however many readers
/// the node has for it, shared by all of them and ended when the last one leaves.
/// </summary>
/// <remarks>
/// A subscription is an Orleans grain observer (<see cref="MarketFeed"/>, made a reference with
/// <see cref="IGrainFactory.CreateObjectReference{TGrainObserverInterface}(IGrainObserver)"/>, which works through a
/// cluster client and beside a silo alike). It is renewed every <see cref="LiveFeedOptions.FeedRenewPeriod"/>; each
/// renewal returns a snapshot that repairs whatever the node missed, so a hub lost with its silo, or a message lost
/// on the way, costs readers at most one period (and a second after a failed renewal), never the rest of the feed.
/// </remarks>
internal sealed partial class MarketFeeds : IDisposable
{
    private static readonly TimeSpan s_retryAfterFailure = TimeSpan.FromSeconds(1);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Subscription> _subscriptions = new(StringComparer.Ordinal);
    private readonly IGrainFactory _grains;
    private readonly JsonSerializerOptions _json;
    private readonly LiveFeedOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<MarketFeeds> _logger;

    public MarketFeeds(IGrainFactory grains, IOptions<LiveFeedOptions> options, IOptions<JsonOptions> json, TimeProvider time,
        IHostApplicationLifetime lifetime, ILogger<MarketFeeds> logger)
    {
        _grains = grains;
        // Events are rendered as every other answer of the API is (camelCase, UTC timestamps).
        _json = json.Value.SerializerOptions;
        _options = options.Value;
        _time = time;
        _logger = logger;
        // Streams never end by themselves: end them when the node stops, so it can drain its connections.
        Stopping = lifetime.ApplicationStopping;
        Stopping.Register(EndAllReaders);
    }

    /// <summary>Cancelled when the node begins to stop.</summary>
    public CancellationToken Stopping { get; }

    /// <summary>Markets this node holds a subscription for.</summary>
    public int MarketCount
    {
        get
        {
            lock (_gate) return _subscriptions.Count;
        }
    }

    /// <summary>This node's feed of <paramref name="marketId"/>, if it has readers.</summary>
    public MarketFeed? Find(string marketId)
    {
        lock (_gate) return _subscriptions.TryGetValue(marketId, out var subscription) ? subscription.Feed : null;
    }

    /// <summary>
    /// A new reader of the market's feed, its first event the market as it is now; null when there is no such market.
    /// Throws what the cluster throws when it cannot answer (a 503 at the edge). Disposing the reader lets it go.
    /// </summary>
    public async Task<FeedReader?> OpenAsync(string marketId, CancellationToken cancellationToken)
    {
        Subscription subscription;
        lock (_gate)
        {
            if (!_subscriptions.TryGetValue(marketId, out subscription!))
            {
                subscription = new Subscription(new MarketFeed(marketId, _json));
                _subscriptions[marketId] = subscription;
                subscription.Started = StartAsync(subscription);
            }

            subscription.Holders++;
        }

        try
        {
            if (!await subscription.Started.WaitAsync(cancellationToken))
            {
                Release(subscription);
                return null;
            }
        }
        catch
        {
            Release(subscription);
            throw;
        }

        return subscription.Feed.AddReader(reader =>
        {
            subscription.Feed.RemoveReader(reader);
            Release(subscription);
        });
    }

    public void Dispose()
    {
        List<Subscription> all;
        lock (_gate)
        {
            all = [.. _subscriptions.Values];
            _subscriptions.Clear();
        }

        foreach (var subscription in all) Close(subscription);
    }

    private IMarketFeedGrain Hub(Subscription subscription) => _grains.Reference<IMarketFeedGrain>(subscription.Feed.MarketId);

    private async Task<bool> StartAsync(Subscription subscription)
    {
        // Out of the caller's lock before anything else.
        await Task.Yield();
        subscription.Observer = _grains.CreateObjectReference<IMarketFeedObserver>(subscription.Feed);
        var snapshot = await Hub(subscription).Subscribe(subscription.Observer);
        if (snapshot is null) return false;
        subscription.Feed.Repair(snapshot);
        // Runs until the subscription closes; it catches everything itself.
        _ = RenewAsync(subscription, subscription.Stop.Token);
        LogSubscribed(subscription.Feed.MarketId);
        return true;
    }

    private async Task RenewAsync(Subscription subscription, CancellationToken cancellationToken)
    {
        var wait = _options.FeedRenewPeriod;
        while (true)
        {
            try
            {
                await Task.Delay(wait, _time, cancellationToken);
                var snapshot = await Hub(subscription).Subscribe(subscription.Observer!).WaitAsync(cancellationToken);
                if (snapshot is null)
                {
                    // The market is gone: end the streams; clients that reconnect get 404.
                    subscription.Feed.EndReaders();
                    return;
                }

                subscription.Feed.Repair(snapshot);
                wait = _options.FeedRenewPeriod;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // The hub's silo may have failed: ask again soon; the answer will carry a fresh snapshot.
                LogRenewalFailed(exception, subscription.Feed.MarketId);
                wait = s_retryAfterFailure < _options.FeedRenewPeriod ? s_retryAfterFailure : _options.FeedRenewPeriod;
            }
        }
    }

    private void Release(Subscription subscription)
    {
        lock (_gate)
        {
            if (--subscription.Holders > 0) return;
            if (_subscriptions.TryGetValue(subscription.Feed.MarketId, out var current) && current == subscription)
            {
                _subscriptions.Remove(subscription.Feed.MarketId);
            }
        }

        Close(subscription);
    }

    /// <summary>Stops renewing, tells the hub (one-way) and lets the observer reference go, once the start has ended.</summary>
    private void Close(Subscription subscription)
    {
        subscription.Stop.Cancel();
        _ = CloseAsync();

        async Task CloseAsync()
        {
            try
            {
                await subscription.Started;
            }
            catch (Exception)
            {
                // The start failed (the cluster was unreachable): the hub may still hold the observer until it expires.
            }

            if (subscription.Observer is not { } observer) return;
            try
            {
                Hub(subscription).Unsubscribe(observer).Ignore();
                _grains.DeleteObjectReference<IMarketFeedObserver>(observer);
                LogUnsubscribed(subscription.Feed.MarketId);
            }
            catch (Exception exception)
            {
                LogUnsubscribeFailed(exception, subscription.Feed.MarketId);
            }
        }
    }

    private void EndAllReaders()
    {
        lock (_gate)
        {
            foreach (var subscription in _subscriptions.Values) subscription.Feed.EndReaders();
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Feed of market {MarketId}: this node subscribed")]
    private partial void LogSubscribed(string marketId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Feed of market {MarketId}: last reader gone, this node unsubscribed")]
    private partial void LogUnsubscribed(string marketId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Feed of market {MarketId}: renewing the subscription failed; retrying")]
    private partial void LogRenewalFailed(Exception exception, string marketId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Feed of market {MarketId}: unsubscribing failed; the hub drops the observer when it expires")]
    private partial void LogUnsubscribeFailed(Exception exception, string marketId);

    /// <summary>One market's subscription on this node and who holds it (readers, and openers still waiting for its start).</summary>
    private sealed class Subscription(MarketFeed feed)
    {
        public MarketFeed Feed { get; } = feed;

        public Task<bool> Started { get; set; } = Task.FromResult(false);

        public IMarketFeedObserver? Observer { get; set; }

        public CancellationTokenSource Stop { get; } = new();

        public int Holders { get; set; }
    }
}
