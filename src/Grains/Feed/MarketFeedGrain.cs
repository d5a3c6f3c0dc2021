using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Utilities;

namespace FleaMarket.Grains.Feed;

/// <summary>
/// The hub of one market's live sales feed. Listings report their stock here after every flush; API nodes register
/// one observer each (Orleans' <see cref="ObserverManager{TObserver}"/>, with expiry) and fan the events out to
/// their Server-Sent Events readers.
/// </summary>
/// <remarks>
/// Why grain observers and not an Orleans stream or broadcast channel: API nodes are Orleans clients (or code
/// beside a silo in the embedded default), and a broadcast channel only delivers to grains; streams need a
/// pub-sub store and queue agents configured on every silo and client in every engine setup. Observers need
/// nothing but the grain call path every setup already has, and the hub keeps the only state they need.
/// <para>
/// Nothing waits on anybody: listings call in one-way, observers are called one-way, so a purchase never waits for
/// the feed and one slow node never slows another. Listing changes are coalesced: at most one batch per
/// <see cref="FeedOptions.BatchInterval"/>, carrying each changed listing's latest stock. The hub is not durable; an
/// activation lost with its silo is replaced on the nodes' next renewal, whose snapshot repairs what they missed.
/// Without observers the hub forgets the market and is collected after two idle minutes.
/// </para>
/// </remarks>
[CollectionAgeLimit(Minutes = 2)]
public sealed partial class MarketFeedGrain : Grain, IMarketFeedGrain
{
    // Grain timers longer than this are re-armed when they fire (a market may open months ahead).
    private static readonly TimeSpan s_longestWait = TimeSpan.FromDays(1);
    // When the grains still report the old status at a boundary (another silo's clock is a little behind), look again after this.
    private static readonly TimeSpan s_boundaryRetry = TimeSpan.FromSeconds(1);
    private readonly Guid _epoch = Guid.NewGuid();
    private readonly FeedOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<MarketFeedGrain> _logger;
    private readonly ObserverManager<IMarketFeedObserver> _observers;
    private readonly MarketFeedView _view = new();
    private readonly HashSet<string> _changed = new(StringComparer.Ordinal);
    private long _sequence;
    private DateTimeOffset _lastBatch = DateTimeOffset.MinValue;
    private IGrainTimer? _batchTimer;
    private IGrainTimer? _boundaryTimer;

    public MarketFeedGrain(IOptions<FeedOptions> options, TimeProvider time, ILogger<MarketFeedGrain> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _observers = new ObserverManager<IMarketFeedObserver>(_options.ObserverExpiry, logger) { GetDateTime = () => time.GetUtcNow().UtcDateTime };
    }

    private string MarketId => this.GetPrimaryKeyString();

    public async Task<FeedSnapshot?> Subscribe(IMarketFeedObserver observer)
    {
        if (!_view.IsLoaded && !await LoadAsync())
        {
            // No such market: nothing to keep (anyone can ask for well-formed random ids).
            DeactivateOnIdle();
            return null;
        }

        _observers.Subscribe(observer, observer);
        return Snapshot();
    }

    public Task Unsubscribe(IMarketFeedObserver observer)
    {
        _observers.Unsubscribe(observer);
        ForgetIfUnobserved();
        return Task.CompletedTask;
    }

    public async Task ListingChanged(ListingStock stock)
    {
        // Nobody listens: the report is dropped (a subscriber loads the market afresh).
        if (!_view.IsLoaded || ForgetIfUnobserved()) return;
        switch (_view.Apply(stock))
        {
            case StockChange.Changed:
                _changed.Add(stock.ListingId);
                ScheduleBatch();
                break;
            case StockChange.UnknownListing:
                // Added after the hub loaded the market (its MarketChanged may still be on the way).
                await RefreshAsync();
                break;
        }
    }

    public async Task MarketChanged()
    {
        if (_view.IsLoaded && !ForgetIfUnobserved()) await RefreshAsync();
    }

    private async Task<bool> LoadAsync()
    {
        if (await GrainFactory.Reference<IMarketGrain>(MarketId).Get() is not { } details) return false;
        _view.Load(details);
        ArmBoundaryTimer();
        return true;
    }

    /// <summary>Reloads the market and its listings and sends every observer the snapshot.</summary>
    private async Task RefreshAsync()
    {
        if (!await LoadAsync()) return;
        _changed.Clear();
        var snapshot = Snapshot();
        _observers.Notify(o => o.OnMarket(snapshot).Ignore());
        LogSnapshotSent(MarketId, snapshot.Details.Market.Status, _observers.Count);
    }

    private FeedSnapshot Snapshot() => new(_epoch, ++_sequence, _view.ToDetails());

    private void ScheduleBatch()
    {
        if (_batchTimer is not null) return;
        var wait = _lastBatch + _options.BatchInterval - _time.GetUtcNow();
        if (wait <= TimeSpan.Zero)
        {
            SendBatch();
            return;
        }

        _batchTimer = this.RegisterGrainTimer(() =>
        {
            _batchTimer?.Dispose();
            _batchTimer = null;
            SendBatch();
            return Task.CompletedTask;
        }, wait, Timeout.InfiniteTimeSpan);
    }

    private void SendBatch()
    {
        if (_changed.Count == 0 || !_view.IsLoaded) return;
        var batch = new FeedListings(_epoch, ++_sequence, [.. _changed.Select(_view.StockOf)]);
        _changed.Clear();
        _lastBatch = _time.GetUtcNow();
        _observers.Notify(o => o.OnListings(batch).Ignore());
    }

    /// <summary>A timer for the market's next opening or closing, when observers get a snapshot with the new status.</summary>
    private void ArmBoundaryTimer()
    {
        _boundaryTimer?.Dispose();
        _boundaryTimer = null;
        var market = _view.Market;
        DateTimeOffset? next = market.Status switch
        {
            MarketStatus.Scheduled => market.OpensAt,
            MarketStatus.Open => market.ClosesAt,
            _ => null,
        };
        if (next is not { } at) return;
        var wait = at - _time.GetUtcNow();
        wait = wait <= TimeSpan.Zero ? s_boundaryRetry : wait > s_longestWait ? s_longestWait : wait;
        _boundaryTimer = this.RegisterGrainTimer(async () =>
        {
            if (ForgetIfUnobserved()) return;
            var before = _view.Market.Status;
            await RefreshAsync();
            if (_view.IsLoaded && _view.Market.Status != before) LogStatusChanged(MarketId, _view.Market.Status);
        }, wait, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Without a live observer, drops the market and lets the activation go; true if it did.</summary>
    private bool ForgetIfUnobserved()
    {
        _observers.ClearExpired();
        if (_observers.Count > 0) return false;
        if (_view.IsLoaded)
        {
            _view.Clear();
            _changed.Clear();
            _batchTimer?.Dispose();
            _batchTimer = null;
            _boundaryTimer?.Dispose();
            _boundaryTimer = null;
            DeactivateOnIdle();
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Feed of market {MarketId}: snapshot ({Status}) sent to {Observers} observers")]
    private partial void LogSnapshotSent(string marketId, string status, int observers);

    [LoggerMessage(Level = LogLevel.Information, Message = "Feed of market {MarketId}: market is now {Status}")]
    private partial void LogStatusChanged(string marketId, string status);
}
