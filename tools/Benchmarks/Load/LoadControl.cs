namespace FleaMarket.Benchmarks.Load;

/// <summary>
/// What the callers of one run share with the benchmark: where they record, and when to stop. Caller grains get it
/// from their silo's container (silo A runs in this process), client callers directly.
/// </summary>
internal sealed class LoadControl(LatencyRecorder recorder)
{
    private volatile bool _stopping;

    public LatencyRecorder Recorder { get; } = recorder;

    /// <summary>Read before every call: a caller finishes its call in flight and stops.</summary>
    public bool Stopping => _stopping;

    public void Start()
    {
        Recorder.Reset();
        _stopping = false;
    }

    public void Stop() => _stopping = true;
}
