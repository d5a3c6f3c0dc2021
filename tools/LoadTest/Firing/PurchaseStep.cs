using System.Diagnostics;
using System.Globalization;
using FleaMarket.LoadTest.Api;
using FleaMarket.LoadTest.Faults;
using FleaMarket.LoadTest.Measurement;
using FleaMarket.LoadTest.Setup;

namespace FleaMarket.LoadTest.Firing;

/// <summary>One purchase attempt of one buyer, and what the buyer does about the answer.</summary>
internal sealed class PurchaseStep(
    ApiClient api, DropWorld world, OutcomeCounters counters, bool[] soldOut, byte[] body, ListingTimeline timeline, PurchaseFailures failures)
{
    /// <summary>Makes one purchase request; returns true when the buyer wants nothing more.</summary>
    public async Task<bool> RunAsync(BuyerState buyer, CancellationToken stop)
    {
        if (buyer.PendingListing is null && !buyer.TryStartPurchase(soldOut)) return true;
        var listing = buyer.PendingListing!.Value;
        var started = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref counters.Requests);
        ApiResponse<OrderBody> response;
        try
        {
            // Not cancelled by the end of the run: an abandoned purchase could still become an order.
            response = await api.PurchaseAsync(world.ListingIds[listing], body, buyer.Participant.Auth, buyer.PendingKey!, CancellationToken.None)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            counters.Latency.Record(started);
            counters.Status("transport-error");
            Interlocked.Increment(ref counters.Unexpected);
            Interlocked.Increment(ref counters.TransportErrors);
            failures.Add(Failure(buyer, listing, null, null));
            await RetryLaterAsync(buyer, stop).ConfigureAwait(false);
            return false;
        }

        counters.Latency.Record(started);
        counters.Status(response.Status.ToString(CultureInfo.InvariantCulture));
        if (response.IsSuccess && response.Value is { } order)
        {
            buyer.Orders.Add(order);
            buyer.KeyByOrder[order.OrderId] = buyer.PendingKey!;
            timeline.Success(listing);
            Interlocked.Increment(ref counters.Orders);
            Interlocked.Add(ref counters.Units, order.Quantity);
            Interlocked.Exchange(ref counters.LastOrderTimestamp, Stopwatch.GetTimestamp());
            buyer.Finish();
            return false;
        }

        var code = response.Problem ?? "none";
        counters.Problem(code);
        switch (response.Status, code)
        {
            case (409, ProblemCodes.SoldOut or ProblemCodes.Closed):
                Volatile.Write(ref soldOut[listing], true);
                timeline.SoldOut(listing);
                buyer.FinishAndGiveUpListing();
                break;
            case (409, ProblemCodes.LimitExceeded):
                buyer.FinishAndGiveUpListing();
                break;
            case (503, _):
                // The service's "not now": the same key again after the pause it asked for (Retry-After).
                Interlocked.Increment(ref counters.ServerErrors);
                failures.Add(Failure(buyer, listing, response.Status, code));
                await RetryLaterAsync(buyer, stop, response.RetryAfter).ConfigureAwait(false);
                break;
            case (409, ProblemCodes.NotOpen) or (429, ProblemCodes.RateLimited):
                // Expected around the opening, under overload and past the per-buyer rate: the same key again,
                // after the pause the service asked for (Retry-After), as a well-behaved client does.
                await RetryLaterAsync(buyer, stop, response.RetryAfter).ConfigureAwait(false);
                break;
            case ( >= 500, _):
                // Not in the contract; the purchase may still have happened, so it is retried with its key.
                Interlocked.Increment(ref counters.Unexpected);
                Interlocked.Increment(ref counters.ServerErrors);
                failures.Add(Failure(buyer, listing, response.Status, code));
                await RetryLaterAsync(buyer, stop).ConfigureAwait(false);
                break;
            default:
                Interlocked.Increment(ref counters.Unexpected);
                buyer.FinishAndGiveUpListing();
                break;
        }

        return false;
    }

    private PurchaseFailure Failure(BuyerState buyer, int listing, int? status, string? problem) => new(
        Math.Round(Stopwatch.GetElapsedTime(counters.StartTimestamp).TotalSeconds, 3), status, problem,
        buyer.Participant.UserId, buyer.Participant.SessionKey, world.ListingIds[listing]);

    private async Task RetryLaterAsync(BuyerState buyer, CancellationToken stop, TimeSpan? retryAfter = null)
    {
        Interlocked.Increment(ref counters.Retries);
        buyer.Attempts++;
        var backoff = Math.Min(20 << Math.Min(buyer.Attempts - 1, 5), 500) + Random.Shared.Next(20);
        if (retryAfter is { } asked) backoff = Math.Max(backoff, (int)asked.TotalMilliseconds + Random.Shared.Next(100));
        try
        {
            await Task.Delay(backoff, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The run is over; the purchase stays unresolved and is reported as such.
        }
    }
}
