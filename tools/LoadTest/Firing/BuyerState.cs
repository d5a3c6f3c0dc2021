using FleaMarket.LoadTest.Api;
using FleaMarket.LoadTest.Setup;

namespace FleaMarket.LoadTest.Firing;

/// <summary>
/// One buyer during the firing: the listings it still wants, the purchase it is retrying, the orders it got.
/// Only one worker holds a buyer at a time (the buyer queue hands it out once), so nothing here is locked.
/// </summary>
internal sealed class BuyerState
{
    private readonly int[] _wanted;
    private int _wantedCount;
    private int _pickedIndex = -1;

    public BuyerState(Participant participant, int listings)
    {
        Participant = participant;
        _wanted = new int[listings];
        for (var i = 0; i < listings; i++) _wanted[i] = i;
        _wantedCount = listings;
    }

    public Participant Participant { get; }

    /// <summary>Orders the API acknowledged with 201 or 200, in the order they arrived.</summary>
    public List<OrderBody> Orders { get; } = [];

    /// <summary>The Idempotency-Key each acknowledged order was made with, by order id (for the replay check).</summary>
    public Dictionary<string, string> KeyByOrder { get; } = new(StringComparer.Ordinal);

    /// <summary>The listing of the purchase in progress, kept with its key while it is retried after a 503.</summary>
    public int? PendingListing { get; private set; }

    public string? PendingKey { get; private set; }

    public int Attempts { get; set; }

    /// <summary>Starts a purchase of a random listing the buyer still wants and nobody has seen sold out; false when none is left.</summary>
    public bool TryStartPurchase(bool[] soldOut)
    {
        while (_wantedCount > 0)
        {
            var index = Random.Shared.Next(_wantedCount);
            var listing = _wanted[index];
            if (Volatile.Read(ref soldOut[listing]))
            {
                RemoveAt(index);
                continue;
            }

            _pickedIndex = index;
            PendingListing = listing;
            PendingKey = Guid.NewGuid().ToString("N");
            Attempts = 0;
            return true;
        }

        return false;
    }

    /// <summary>The purchase got its answer; the buyer may buy the same listing again.</summary>
    public void Finish() => PendingListing = null;

    /// <summary>The purchase got its answer and the buyer will not buy this listing again (sold out, limit reached).</summary>
    public void FinishAndGiveUpListing()
    {
        if (_pickedIndex >= 0) RemoveAt(_pickedIndex);
        PendingListing = null;
    }

    /// <summary>A purchase was started and its outcome never became known (its key was not retried to an answer).</summary>
    public bool IsUnresolved => PendingListing is not null && Attempts > 0;

    private void RemoveAt(int index)
    {
        // Swap-remove keeps picking O(1) even with 1,000 listings per buyer.
        _wanted[index] = _wanted[--_wantedCount];
        _pickedIndex = -1;
    }
}
