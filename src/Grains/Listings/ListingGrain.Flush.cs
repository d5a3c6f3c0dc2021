using Orleans.Storage;

namespace FleaMarket.Grains.Listings;

/// <summary>Group commit: one journal append at a time carries every purchase that queued up behind the previous one.</summary>
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
                _book.JournalLength = await journal.AppendAsync(JournalName, ListingId, _book.JournalLength, batch.Select(p => p.Recorded).ToList());
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
