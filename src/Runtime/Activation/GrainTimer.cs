namespace FleaMarket.Runtime.Activation;

/// <summary>
/// A per-activation timer: each tick runs as a turn of its activation, never in parallel with a
/// request. A tick that falls due while the previous one still runs is skipped.
/// </summary>
internal sealed class GrainTimer : IDisposable
{
    private readonly ActivationData _activation;
    private readonly Func<CancellationToken, Task> _callback;
    private readonly ITimer _timer;
    private readonly CancellationTokenSource _disposed = new();
    private int _running;

    public GrainTimer(ActivationData activation, Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period, TimeProvider time)
    {
        _activation = activation;
        _callback = callback;
        _timer = time.CreateTimer(static s => ((GrainTimer)s!).Tick(), this, dueTime, period);
    }

    public void Dispose()
    {
        if (_disposed.IsCancellationRequested) return;
        _disposed.Cancel();
        _timer.Dispose();
        _activation.RemoveTimer(this);
    }

    private void Tick()
    {
        if (_disposed.IsCancellationRequested || Interlocked.Exchange(ref _running, 1) == 1) return;
        var item = WorkItem.ForTimer((_, _) => _callback(_disposed.Token));
        if (!_activation.TryEnqueue(item))
        {
            _running = 0;
            return;
        }

        item.Completion.Task.ContinueWith(static (_, s) => ((GrainTimer)s!)._running = 0, this, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
