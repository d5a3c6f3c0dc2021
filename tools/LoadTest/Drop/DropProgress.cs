using FleaMarket.LoadTest.Measurement;

namespace FleaMarket.LoadTest.Drop;

/// <summary>
/// What a running rehearsal is doing, for a live display to poll. Written by the run, read by anyone; plain fields
/// updated with <see cref="Interlocked"/> because a display only needs a recent value, not a consistent snapshot.
/// </summary>
internal sealed class DropProgress
{
    private volatile string _phase = "starting";
    private volatile OutcomeCounters? _counters;

    public int BuyersReady;
    public int ListingsReady;
    public int BuyersDone;

    public string Phase
    {
        get => _phase;
        set => _phase = value;
    }

    /// <summary>The firing's counters once purchases have started; null before.</summary>
    public OutcomeCounters? Counters
    {
        get => _counters;
        set => _counters = value;
    }
}
