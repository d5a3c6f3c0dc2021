using FleaMarket.Persistence.Journals;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Placement;

namespace FleaMarket.Grains.Listings;

/// <summary>
/// A listing: stock, per-buyer limits and orders. A purchase reserves stock in memory inside its turn and
/// then waits for the batch it joined to be appended to the listing's order journal; one flush at a time
/// writes everything that queued up meanwhile (group commit). The grain is reentrant so purchases keep
/// reserving while a flush is in flight; all of its code still runs one piece at a time on the activation's
/// scheduler, so the in-memory book needs no locks. Nothing is acknowledged before it is durable, and a failed
/// flush gives every reservation in it back.
/// </summary>
/// <remarks>
/// Placed at random: a drop activates its listings in a burst, and the default resource-optimised placement
/// was measured putting such a burst all on one silo.
/// <para>
/// A call that finds no listing lets the activation go as soon as it returns: anyone can ask for well-formed
/// random listing ids, and an activation kept for the idle age per id would be memory a stranger fills at will.
/// </para>
/// </remarks>
[Reentrant, RandomPlacement]
public sealed partial class ListingGrain(
    [PersistentState("listing")] IPersistentState<ListingDefinition> definition,
    IJournalStorage journal,
    IOptions<ListingOptions> options,
    TimeProvider time) : Grain, IListingGrain
{
    internal const string JournalName = "orders";
    private const int ReplayPage = 1000;
    private readonly OrderBook _book = new();
    private readonly List<PendingOrder> _pending = [];
    private Task _flushing = Task.CompletedTask;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!definition.RecordExists) return;
        long position = 0;
        while (true)
        {
            var page = await journal.ReadAsync<OrderRecorded>(JournalName, ListingId, position, ReplayPage, cancellationToken);
            foreach (var recorded in page) _book.Apply(recorded.Event);
            if (page.Count < ReplayPage) break;
            position = page[^1].Position;
        }

        _book.JournalLength = await journal.GetLengthAsync(JournalName, ListingId, cancellationToken);
    }

    private string ListingId => this.GetPrimaryKeyString();

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _flushing;

    public async Task<ListingView> Initialize(ListingSetup setup)
    {
        if (!definition.RecordExists)
        {
            definition.State = new ListingDefinition { Setup = setup };
            await definition.WriteStateAsync();
        }

        return View();
    }

    public Task<ListingView?> Get() => Task.FromResult(Exists() ? View() : null);

    public Task WarmUp()
    {
        // Activating is the warm-up; an unknown listing is not kept.
        Exists();
        return Task.CompletedTask;
    }

    public Task<Order[]> GetOrders(string? buyerId) => Task.FromResult(Exists() ? _book.OrdersNewestFirst(buyerId) : []);

    public Task<Order[]> GetOrderPage(string? buyerId, OrderPage page) => Task.FromResult(Exists() ? _book.Page(buyerId, page) : []);

    public Task<OrderWithSeller?> GetOrder(string orderId) =>
        Task.FromResult(Exists() && _book.Find(orderId) is { } order ? new OrderWithSeller(order, definition.State.Setup!.SellerId) : null);

    public Task<PurchaseResult> Purchase(string buyerId, int quantity, string idempotencyKey)
    {
        if (!Exists() || definition.State.Setup is not { } setup) return Task.FromResult(new PurchaseResult(null, PurchaseError.NotFound));
        if (_book.FindByKey(buyerId, idempotencyKey) is { } earlier) return ReplayAsync(earlier, quantity);
        // A full queue answers at once: waiting behind it would outlast the caller's budget anyway.
        if (_pending.Count + _inFlight >= options.Value.MaxPendingPurchases) return Task.FromResult(new PurchaseResult(null, PurchaseError.Busy));
        var refusal = Check(setup, buyerId, quantity);
        if (refusal != PurchaseError.None) return Task.FromResult(new PurchaseResult(null, refusal));

        var now = time.GetUtcNow();
        var order = new Order(OrderIds.New(setup.ListingId, now), setup.ListingId, setup.MarketId, buyerId, quantity,
            setup.Listing.PriceCents, setup.Listing.PriceCents * quantity, now);
        var pending = new PendingOrder(new OrderRecorded(order, idempotencyKey));
        _book.Reserve(pending);
        _pending.Add(pending);
        if (_flushing.IsCompleted) _flushing = FlushAsync();
        return AwaitDurableAsync(pending);
    }

    /// <summary>
    /// Whether the definition is stored; if not, asks to deactivate once the running calls return. The grain is
    /// reentrant, so an Initialize may be writing the definition right now: deactivation waits for it, and calls
    /// that arrive meanwhile are forwarded to the next activation, which reads the stored definition.
    /// </summary>
    private bool Exists()
    {
        if (definition.RecordExists) return true;
        DeactivateOnIdle();
        return false;
    }

    private PurchaseError Check(ListingSetup setup, string buyerId, int quantity)
    {
        var now = time.GetUtcNow();
        if (setup.ClosesAt is { } closesAt && now >= closesAt) return PurchaseError.Closed;
        if (now < setup.OpensAt) return PurchaseError.NotOpen;
        if (_book.Remaining(setup.Listing.Quantity) < quantity) return PurchaseError.SoldOut;
        if (setup.Listing.MaxPerBuyer is { } max && _book.BoughtBy(buyerId) + quantity > max) return PurchaseError.LimitExceeded;
        return PurchaseError.None;
    }

    private static async Task<PurchaseResult> ReplayAsync(PendingOrder earlier, int quantity)
    {
        if (earlier.Recorded.Order.Quantity != quantity) return new PurchaseResult(null, PurchaseError.IdempotencyKeyReused);
        await earlier.Durable.Task;
        return new PurchaseResult(earlier.Recorded.Order, PurchaseError.None, Replayed: true);
    }

    private static async Task<PurchaseResult> AwaitDurableAsync(PendingOrder pending)
    {
        await pending.Durable.Task;
        return new PurchaseResult(pending.Recorded.Order, PurchaseError.None);
    }

    private ListingView View()
    {
        var setup = definition.State.Setup!;
        var listing = setup.Listing;
        var remaining = _book.Remaining(listing.Quantity);
        var now = time.GetUtcNow();
        var status = setup.ClosesAt is { } closesAt && now >= closesAt ? ListingStatus.Closed
            : now < setup.OpensAt ? ListingStatus.Scheduled
            : remaining == 0 ? ListingStatus.SoldOut
            : ListingStatus.OnSale;
        return new ListingView(setup.ListingId, setup.MarketId, listing.Title, listing.Description, listing.PriceCents,
            listing.Quantity, remaining, listing.MaxPerBuyer, status);
    }
}

/// <summary>The stored definition of a listing (its orders are in its journal, not here).</summary>
[GenerateSerializer, Alias("FleaMarket.ListingDefinition")]
public sealed class ListingDefinition
{
    [Id(0)]
    public ListingSetup? Setup { get; set; }
}

/// <summary>One journal event (System.Text.Json in the journal): an order and the idempotency key it was placed with.</summary>
public sealed record OrderRecorded(Order Order, string IdempotencyKey);
