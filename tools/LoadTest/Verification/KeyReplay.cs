using FleaMarket.LoadTest.Api;
using FleaMarket.LoadTest.Drop;
using FleaMarket.LoadTest.Firing;
using FleaMarket.LoadTest.Setup;

namespace FleaMarket.LoadTest.Verification;

/// <summary>
/// Sends every acknowledged purchase again with its Idempotency-Key, as a client that never saw the answer would:
/// each must return the same order (200 or 201, same orderId), never a second one. After a fault this shows that no
/// key made two orders, also where the first answer was lost.
/// </summary>
internal static class KeyReplay
{
    public static async Task<Check> RunAsync(ApiClient api, DropOptions options, FiringResult firing, CancellationToken ct)
    {
        var body = System.Text.Encoding.UTF8.GetBytes($$"""{"quantity":{{options.Quantity}}}""");
        var purchases = firing.Buyers.SelectMany(b => b.Orders.Where(o => b.KeyByOrder.ContainsKey(o.OrderId))
            .Select(o => (Buyer: b, Order: o, Key: b.KeyByOrder[o.OrderId]))).ToList();
        var other = 0;
        var failed = 0;
        await SetupRetry.ForEachAsync(purchases.Count, options.SetupConcurrency, ct, async (i, token) =>
        {
            var (buyer, order, key) = purchases[i];
            ApiResponse<OrderBody> response;
            try
            {
                response = await SetupRetry.RunAsync($"Replay key {key}", t => api.PurchaseAsync(order.ListingId, body, buyer.Participant.Auth, key, t), token)
                    .ConfigureAwait(false);
            }
            catch (ApiException)
            {
                Interlocked.Increment(ref failed);
                return;
            }

            if (!response.IsSuccess || response.Value is null) Interlocked.Increment(ref failed);
            else if (response.Value.OrderId != order.OrderId) Interlocked.Increment(ref other);
        }).ConfigureAwait(false);
        return new Check("one-order-per-key", other == 0 && failed == 0,
            $"{purchases.Count} acknowledged keys replayed: {other} answered with another order, {failed} not answered with an order.");
    }
}
