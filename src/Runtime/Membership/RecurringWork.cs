namespace FleaMarket.Runtime.Membership;

/// <summary>
/// Runs a piece of work every <c>period</c> on a <see cref="TimeProvider"/> timer. The next run is due
/// one period after the previous one started, or at once if that run took longer: runs never overlap,
/// and a probe round that waited out its whole timeout does not cost a skipped round.
/// </summary>
/// <remarks>
/// A run starts inline in the timer callback, so with a manual clock whatever completes synchronously
/// (an in-memory table, a refused probe) happens inside <c>Advance</c> and tests stay deterministic.
/// </remarks>
internal sealed class RecurringWork
{
    // Lets StopAsync, called from inside a run (e.g. by an event handler), skip awaiting that run.
    private static readonly AsyncLocal<bool> s_insideRun = new();

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _period;
    private readonly Func<CancellationToken, Task> _work;
    private readonly Action<Exception> _onError;
    private readonly CancellationTokenSource _stopping = new();
    private ITimer? _timer;
    private Task _running = Task.CompletedTask;
    private bool _stopped;

    public RecurringWork(TimeProvider time, TimeSpan period, Func<CancellationToken, Task> work, Action<Exception> onError)
    {
        _time = time;
        _period = period;
        _work = work;
        _onError = onError;
    }

    /// <summary>Schedules the first run one period from now.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_stopped || _timer is not null) return;
            _timer = _time.CreateTimer(static s => _ = ((RecurringWork)s!).RunAndRescheduleAsync(), this, _period, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Cancels the current run and schedules no more.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            if (_stopped) return;
            _stopped = true;
            _timer?.Dispose();
        }

        _stopping.Cancel();
    }

    /// <summary>Stops, then waits for a run in progress unless called from inside it.</summary>
    public async Task StopAsync()
    {
        Stop();
        Task running;
        lock (_gate) running = _running;
        if (!s_insideRun.Value) await running.ConfigureAwait(false);
    }

    private async Task RunAndRescheduleAsync()
    {
        var started = _time.GetUtcNow();
        lock (_gate)
        {
            if (_stopped) return;
        }

        var run = RunOnceAsync();
        lock (_gate) _running = run;
        await run.ConfigureAwait(false);

        lock (_gate)
        {
            if (_stopped) return;
            var due = started + _period - _time.GetUtcNow();
            _timer!.Change(due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    private async Task RunOnceAsync()
    {
        s_insideRun.Value = true;
        try
        {
            await _work(_stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            _onError(exception);
        }
    }
}
