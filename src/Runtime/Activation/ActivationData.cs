using FleaMarket.Runtime.Reminders;

namespace FleaMarket.Runtime.Activation;

/// <summary>
/// One live activation of a grain on this silo. Requests queue in arrival order and run one turn at a
/// time — a turn is a whole request including its awaits — unless the class is reentrant or the method
/// interleaves. All grain code runs on the activation's own exclusive scheduler, so even interleaved
/// requests never run in parallel.
/// </summary>
internal sealed partial class ActivationData : IGrainContext
{
    private readonly Lock _gate = new();
    private readonly Queue<WorkItem> _queue = new();
    private readonly List<GrainTimer> _timers = [];
    private readonly TaskCompletionSource _deactivated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Catalog _catalog;
    private ActivationStatus _status = ActivationStatus.Activating;
    private DeactivationReason? _pendingDeactivation;
    private int _exclusiveRunning;
    private int _readOnlyRunning;
    private int _interleavedRunning;

    public ActivationData(GrainId grainId, GrainClassInfo grainClass, Catalog catalog)
    {
        GrainId = grainId;
        GrainClass = grainClass;
        _catalog = catalog;
        Scheduler = new ConcurrentExclusiveSchedulerPair(FairThreadPoolScheduler.Instance, 1).ExclusiveScheduler;
        LastActivity = catalog.TimeProvider.GetTimestamp();
    }

    public GrainId GrainId { get; }

    public GrainClassInfo GrainClass { get; }

    /// <summary>Requests completed by this activation (the dashboard's "hottest grains").</summary>
    public long CallCount;

    public Grain? Instance { get; private set; }

    /// <summary>Runs every piece of this activation's grain code, one at a time.</summary>
    public TaskScheduler Scheduler { get; }

    /// <summary>Timestamp (of the catalog's TimeProvider) of the last request start or end.</summary>
    public long LastActivity { get; private set; }

    public Task Deactivated => _deactivated.Task;

    public IGrainFactory GrainFactory => _catalog.GrainFactory;

    public IReminderRegistry Reminders => _catalog.Reminders;

    public bool IsIdle
    {
        get
        {
            lock (_gate) return _status == ActivationStatus.Valid && _queue.Count == 0 && RunningCount == 0;
        }
    }

    internal string DebugState
    {
        get
        {
            lock (_gate) return $"{_status} queue={_queue.Count} ex={_exclusiveRunning} ro={_readOnlyRunning} il={_interleavedRunning} pending={_pendingDeactivation}";
        }
    }

    private int RunningCount => _exclusiveRunning + _readOnlyRunning + _interleavedRunning;

    /// <summary>Queues a request. False if the activation is going away: wait for <see cref="Deactivated"/> and dispatch again.</summary>
    public bool TryEnqueue(WorkItem item)
    {
        lock (_gate)
        {
            if (_status is ActivationStatus.Deactivating or ActivationStatus.Invalid) return false;
            if (item.Method is not null) LastActivity = _catalog.TimeProvider.GetTimestamp();
            _queue.Enqueue(item);
            PumpLocked();
            return true;
        }
    }

    public void RequestDeactivation(DeactivationReason reason)
    {
        lock (_gate)
        {
            if (_status is ActivationStatus.Deactivating or ActivationStatus.Invalid) return;
            _pendingDeactivation ??= reason;
            if (_status == ActivationStatus.Valid && RunningCount == 0) BeginDeactivationLocked();
        }
    }

    /// <summary>Idle collection: deactivates only if nothing runs or waits and the last activity is older than the timestamp.</summary>
    public void DeactivateIfIdleSince(long olderThanTimestamp)
    {
        lock (_gate)
        {
            if (_status != ActivationStatus.Valid || _queue.Count > 0 || RunningCount > 0 || LastActivity > olderThanTimestamp) return;
            _pendingDeactivation ??= DeactivationReason.Idle;
            BeginDeactivationLocked();
        }
    }

    public IDisposable RegisterTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new GrainTimer(this, callback, dueTime, period, _catalog.TimeProvider);
        lock (_gate) _timers.Add(timer);
        return timer;
    }

    internal void RemoveTimer(GrainTimer timer)
    {
        lock (_gate) _timers.Remove(timer);
    }

    private void PumpLocked()
    {
        if (_status != ActivationStatus.Valid || _pendingDeactivation is not null) return;
        while (_queue.TryPeek(out var head) && CanStartLocked(head))
        {
            _queue.Dequeue();
            StartLocked(head);
        }
    }

    private bool CanStartLocked(WorkItem item) =>
        GrainClass.IsReentrant || item.IsAlwaysInterleave
            ? true
            : item.IsReadOnly ? _exclusiveRunning == 0 : RunningCount == 0;

    private void StartLocked(WorkItem item)
    {
        if (GrainClass.IsReentrant || item.IsAlwaysInterleave) _interleavedRunning++;
        else if (item.IsReadOnly) _readOnlyRunning++;
        else _exclusiveRunning++;
        _ = Task.Factory.StartNew(static s => ((TurnStart)s!).Run(), new TurnStart(this, item), CancellationToken.None, TaskCreationOptions.DenyChildAttach, Scheduler);
    }

    private async Task RunTurnAsync(WorkItem item)
    {
        try
        {
            var turn = item.Method is { } method
                ? method.Invoke(Instance!, item.Arguments)
                : item.TimerCallback!(Instance!, CancellationToken.None);
            await turn;
            item.Completion.TrySetResult(item.Method?.GetResult(turn));
            if (item.Method is not null) _catalog.Statistics.CallCompleted(this, item.Received, failed: false);
        }
        catch (Exception exception)
        {
            if (IsInconsistentState(exception)) RequestDeactivation(DeactivationReason.InconsistentState);
            item.Completion.TrySetException(exception);
            if (item.Method is not null) _catalog.Statistics.CallCompleted(this, item.Received, failed: true);
        }
        finally
        {
            OnTurnCompleted(item);
        }
    }

    private void OnTurnCompleted(WorkItem item)
    {
        lock (_gate)
        {
            if (GrainClass.IsReentrant || item.IsAlwaysInterleave) _interleavedRunning--;
            else if (item.IsReadOnly) _readOnlyRunning--;
            else _exclusiveRunning--;
            if (item.Method is not null) LastActivity = _catalog.TimeProvider.GetTimestamp();
            if (_pendingDeactivation is not null && RunningCount == 0 && _status == ActivationStatus.Valid) BeginDeactivationLocked();
            else PumpLocked();
        }
    }

    private static bool IsInconsistentState(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is InconsistentStateException) return true;
        }

        return false;
    }

    private sealed record TurnStart(ActivationData Activation, WorkItem Item)
    {
        public Task Run() => Activation.RunTurnAsync(Item);
    }

    private enum ActivationStatus
    {
        Activating,
        Valid,
        Deactivating,
        Invalid,
    }
}
