using Orleans.Storage;

namespace FleaMarket.Grains.Listings;

/// <summary>
/// Group commit: one journal append at a time carries every purchase that queued up behind the previous one. The
/// append tags the listing's stream with each buyer whose first order here it holds: the buyers' order histories
/// (<see cref="Users.AccountGrain"/>) find their listings by that tag, written in the order's own transaction.
/// </summary>
public sealed partial class ListingGrain
{
    // Purchases in the batch being appended (those behind it are in _pending).
    private int _inFlight;

    private async Task FlushAsync()
    {
        // Let the purchases already queued on this activation reserve before the first batch goes out.
        await Task.Yield();
        while (_pending.Count > 0)
        {
            var batch = _pending.ToList();
            _pending.Clear();
            _inFlight = batch.Count;
            try
            {
                // A buyer's first durable order here puts this listing in the buyer's history, in the same transaction.
                var newBuyers = batch.Select(p => p.Recorded.Order.BuyerId).Where(b => !_book.HasDurableOrder(b)).Distinct(StringComparer.Ordinal).ToList();
                _book.JournalLength = await journal.AppendAsync(JournalName, ListingId, _book.JournalLength, batch.Select(p => p.Recorded).ToList(), newBuyers);
            }
            catch (Exception exception)
            {
                _inFlight = 0;
                // Nothing in this batch is durable: give every unit back and tell every buyer.
                foreach (var pending in batch) _book.Release(pending);
                foreach (var pending in batch) pending.Durable.TrySetException(exception);
                if (exception is InconsistentStateException)
                {
                    // Another activation appended (a duplicate during a membership change): drop this one; the next re-reads.
                    foreach (var pending in _pending) _book.Release(pending);
                    foreach (var pending in _pending) pending.Durable.TrySetException(exception);
                    _pending.Clear();
                    DeactivateOnIdle();
                    return;
                }

                ReportStock();
                continue;
            }

            _inFlight = 0;
            foreach (var pending in batch)
            {
                _book.Confirm(pending);
                pending.Durable.TrySetResult();
            }

            ReportStock();
        }
    }
}

/// <summary>A reserved order waiting for its batch to be durable.</summary>
internal sealed class PendingOrder(OrderRecorded recorded)
{
    public OrderRecorded Recorded { get; } = recorded;

    public TaskCompletionSource Durable { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
