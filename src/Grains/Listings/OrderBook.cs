namespace FleaMarket.Grains.Listings;

/// <summary>
/// The in-memory book of a listing: units sold (including reserved, not yet durable ones), units per buyer,
/// orders by idempotency key, and the durable orders. Rebuilt from the order journal on activation.
/// </summary>
internal sealed class OrderBook
{
    private readonly Dictionary<string, int> _unitsByBuyer = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Buyer, string Key), PendingOrder> _byKey = [];
    private readonly List<Order> _orders = [];
    private readonly Dictionary<string, Order> _byId = new(StringComparer.Ordinal);
    // Each buyer's durable orders in confirmation order: a buyer's page reads only theirs, however many the listing sold.
    private readonly Dictionary<string, List<Order>> _ordersByBuyer = new(StringComparer.Ordinal);
    private int _unitsTaken;

    /// <summary>Events in the journal: the expected length for the next append.</summary>
    public long JournalLength { get; set; }

    public int Remaining(int quantity) => quantity - _unitsTaken;

    public int BoughtBy(string buyerId) => _unitsByBuyer.GetValueOrDefault(buyerId);

    public PendingOrder? FindByKey(string buyerId, string key) => _byKey.GetValueOrDefault((buyerId, key));

    /// <summary>Replays a durable order from the journal.</summary>
    public void Apply(OrderRecorded recorded)
    {
        var pending = new PendingOrder(recorded);
        pending.Durable.TrySetResult();
        Reserve(pending);
        Confirm(pending);
    }

    public void Reserve(PendingOrder pending)
    {
        var order = pending.Recorded.Order;
        _unitsTaken += order.Quantity;
        _unitsByBuyer[order.BuyerId] = BoughtBy(order.BuyerId) + order.Quantity;
        _byKey[(order.BuyerId, pending.Recorded.IdempotencyKey)] = pending;
    }

    public void Release(PendingOrder pending)
    {
        var order = pending.Recorded.Order;
        _unitsTaken -= order.Quantity;
        _unitsByBuyer[order.BuyerId] = BoughtBy(order.BuyerId) - order.Quantity;
        _byKey.Remove((order.BuyerId, pending.Recorded.IdempotencyKey));
    }

    public void Confirm(PendingOrder pending)
    {
        var order = pending.Recorded.Order;
        _orders.Add(order);
        _byId[order.OrderId] = order;
        if (!_ordersByBuyer.TryGetValue(order.BuyerId, out var ofBuyer)) _ordersByBuyer[order.BuyerId] = ofBuyer = [];
        ofBuyer.Add(order);
    }

    public Order? Find(string orderId) => _byId.GetValueOrDefault(orderId);

    /// <summary>Whether the buyer has a durable order here (and so the listing is already in the buyer's history).</summary>
    public bool HasDurableOrder(string buyerId) => _ordersByBuyer.ContainsKey(buyerId);

    /// <summary>
    /// One page, newest first. Orders are confirmed in creation order, but a clock that steps back could break
    /// that, so the page is chosen by the sort key, not by position.
    /// </summary>
    public Order[] Page(string? buyerId, OrderPage page)
    {
        long cursorTicks = long.MaxValue;
        var cursorId = page.After;
        if (cursorId is not null && !OrderIds.TryGetTicks(cursorId, out cursorTicks)) return [];
        var matching = Of(buyerId).Where(o => cursorId is null || OrderIds.IsAfter(o, cursorTicks, cursorId));
        return [.. matching.Order(Comparer<Order>.Create(OrderIds.CompareNewestFirst)).Take(page.Limit)];
    }

    public Order[] OrdersNewestFirst(string? buyerId)
    {
        var orders = Of(buyerId);
        var newestFirst = new Order[orders.Count];
        for (var i = 0; i < orders.Count; i++) newestFirst[i] = orders[orders.Count - 1 - i];
        return newestFirst;
    }

    /// <summary>The buyer's durable orders (all of them for null), in confirmation order.</summary>
    private List<Order> Of(string? buyerId) => buyerId is null ? _orders : _ordersByBuyer.GetValueOrDefault(buyerId) ?? [];
}
