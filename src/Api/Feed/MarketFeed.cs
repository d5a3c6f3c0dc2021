using System.Text.Json;
using FleaMarket.Grains;

namespace FleaMarket.Api.Feed;

/// <summary>
/// One market's feed on this API node: the node's single observer registered with the market's hub grain, the
/// market as this node last heard it, and the node's readers of it. Whatever the hub sends is applied here once and
/// posted to every reader's mailbox (<see cref="FeedReader"/>), which never blocks.
/// </summary>
/// <remarks>
/// The hub numbers what it sends (<see cref="FeedSnapshot.Sequence"/>, per hub activation <see cref="FeedSnapshot.Epoch"/>),
/// and a listing's value is taken only from something newer than what set it last, so a message that arrives out
/// of order never moves a bar backwards. Batches from a hub activation this node has no snapshot of yet (its
/// subscription's answer is still on the way) wait for that snapshot.
/// </remarks>
internal sealed class MarketFeed(string marketId, JsonSerializerOptions json) : IMarketFeedObserver
{
    private const int MaxEarlyBatches = 64;
    private readonly Lock _gate = new();
    private readonly List<FeedReader> _readers = [];
    private readonly List<ListingView> _listings = [];
    private readonly Dictionary<string, int> _indexById = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _listingSequence = new(StringComparer.Ordinal);
    private readonly List<FeedListings> _early = [];
    private MarketView? _market;
    private FeedEvent? _snapshot;
    private Guid _epoch;
    private long _marketSequence;

    public string MarketId { get; } = marketId;

    /// <summary>Readers of this market on this node.</summary>
    public int ReaderCount
    {
        get
        {
            lock (_gate) return _readers.Count;
        }
    }

    /// <summary>The most values any reader of this market has waiting (see <see cref="FeedReader.Pending"/>).</summary>
    public int MostPending
    {
        get
        {
            lock (_gate) return _readers.Count == 0 ? 0 : _readers.Max(r => r.Pending);
        }
    }

    /// <summary>The market as this node has it now, or null before the first snapshot.</summary>
    public MarketDetails? Current
    {
        get
        {
            lock (_gate) return _market is null ? null : new MarketDetails(_market, [.. _listings]);
        }
    }

    /// <summary>Adds a reader whose first event is the market as this node has it now.</summary>
    public FeedReader AddReader(Action<FeedReader> onDispose)
    {
        var reader = new FeedReader(onDispose);
        lock (_gate)
        {
            if (_market is not null) reader.PostMarket(Snapshot());
            _readers.Add(reader);
        }

        return reader;
    }

    public void RemoveReader(FeedReader reader)
    {
        lock (_gate) _readers.Remove(reader);
    }

    /// <summary>Ends every reader's stream (the node stops, or the market is gone).</summary>
    public void EndReaders()
    {
        lock (_gate)
        {
            foreach (var reader in _readers) reader.End();
        }
    }

    /// <summary>A snapshot pushed by the hub (open, close, a listing added): every reader gets a <c>market</c> event.</summary>
    public Task OnMarket(FeedSnapshot snapshot)
    {
        Apply(snapshot, announce: true);
        return Task.CompletedTask;
    }

    /// <summary>
    /// A snapshot answering a subscription or renewal: readers hear only of what it changed (nothing, when no
    /// message was lost): a <c>market</c> event if the market or its set of listings changed, else <c>listing</c> events.
    /// </summary>
    public void Repair(FeedSnapshot snapshot) => Apply(snapshot, announce: false);

    public Task OnListings(FeedListings batch)
    {
        lock (_gate)
        {
            if (batch.Epoch != _epoch)
            {
                if (_early.Count < MaxEarlyBatches) _early.Add(batch);
                return Task.CompletedTask;
            }

            ApplyBatch(batch);
        }

        return Task.CompletedTask;
    }

    private void Apply(FeedSnapshot snapshot, bool announce)
    {
        lock (_gate)
        {
            if (snapshot.Epoch != _epoch)
            {
                // A new hub activation (the first, or one that replaced a lost one): its numbering starts afresh.
                _epoch = snapshot.Epoch;
                _listingSequence.Clear();
                _marketSequence = 0;
            }
            else if (snapshot.Sequence <= _marketSequence)
            {
                return;
            }

            _marketSequence = snapshot.Sequence;
            var marketChanged = _market != snapshot.Details.Market;
            var setChanged = _listings.Count != snapshot.Details.Listings.Length;
            var changed = new List<ListingView>();
            var listings = new List<ListingView>(snapshot.Details.Listings.Length);
            foreach (var incoming in snapshot.Details.Listings)
            {
                var known = _indexById.TryGetValue(incoming.ListingId, out var index) ? _listings[index] : null;
                setChanged |= known is null;
                if (known is not null && _listingSequence.GetValueOrDefault(incoming.ListingId) > snapshot.Sequence)
                {
                    listings.Add(known);
                    continue;
                }

                _listingSequence[incoming.ListingId] = snapshot.Sequence;
                listings.Add(incoming);
                if (known is not null && known != incoming) changed.Add(incoming);
            }

            _market = snapshot.Details.Market;
            _listings.Clear();
            _indexById.Clear();
            foreach (var listing in listings)
            {
                _indexById[listing.ListingId] = _listings.Count;
                _listings.Add(listing);
            }

            _snapshot = null;
            ApplyEarlyBatches();
            if (announce || marketChanged || setChanged)
            {
                var rendered = Snapshot();
                foreach (var reader in _readers) reader.PostMarket(rendered);
            }
            else
            {
                foreach (var listing in changed) Post(_listings[_indexById[listing.ListingId]]);
            }
        }
    }

    private void ApplyEarlyBatches()
    {
        foreach (var batch in _early)
        {
            if (batch.Epoch == _epoch) ApplyBatch(batch);
        }

        _early.Clear();
    }

    private void ApplyBatch(FeedListings batch)
    {
        foreach (var stock in batch.Listings)
        {
            if (!_indexById.TryGetValue(stock.ListingId, out var index)) continue;
            if (_listingSequence.GetValueOrDefault(stock.ListingId) >= batch.Sequence) continue;
            _listingSequence[stock.ListingId] = batch.Sequence;
            var listing = _listings[index];
            if (listing.Remaining == stock.Remaining && listing.Status == stock.Status) continue;
            _listings[index] = listing with { Remaining = stock.Remaining, Status = stock.Status };
            _snapshot = null;
            Post(_listings[index]);
        }
    }

    private void Post(ListingView listing)
    {
        var rendered = FeedEvent.Listing(listing, json);
        foreach (var reader in _readers) reader.PostListing(rendered);
    }

    /// <summary>The market as a <c>market</c> event, rendered once until something changes (under the lock).</summary>
    private FeedEvent Snapshot() => _snapshot ??= FeedEvent.Market(new MarketDetails(_market!, [.. _listings]), json);
}
