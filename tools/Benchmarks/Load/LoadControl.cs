namespace FleaMarket.Benchmarks.Load;

/// <summary>
/// What the callers of one run share with the benchmark: a start line, where they record, and when to stop. Caller
/// grains get it from their silo's container (silo A runs in this process), client callers directly.
/// </summary>
internal sealed class LoadControl(LatencyRecorder recorder)
{
    private TaskCompletionSource _everyoneArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _expected;
    private int _arrived;
    private volatile bool _stopping;

    public LatencyRecorder Recorder { get; } = recorder;

    /// <summary>Read before every call: a caller finishes its call in flight and stops.</summary>
    public bool Stopping => _stopping;

    /// <summary>Opens a run for <paramref name="callers"/> callers.</summary>
    public void Start(int callers)
    {
        Recorder.Reset();
        _expected = callers;
        _arrived = 0;
        _everyoneArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _stopping = false;
    }

    /// <summary>Completes once every caller of the run has arrived, so the measured time has all of them calling.</summary>
    public Task ArriveAsync()
    {
        if (Interlocked.Increment(ref _arrived) == _expected) _everyoneArrived.TrySetResult();
        return _everyoneArrived.Task;
    }

    public void Stop() => _stopping = true;
}
