namespace FleaMarket.Runtime.Activation;

/// <summary>Activation and deactivation of one activation.</summary>
internal sealed partial class ActivationData
{
    /// <summary>
    /// Waits until this silo may own the grain (the previous owner released it), builds the grain,
    /// reads its state, runs <c>OnActivateAsync</c>, then starts the queued requests.
    /// </summary>
    public async Task ActivateAsync()
    {
        try
        {
            await _catalog.WaitUntilOwnedAsync(GrainId).ConfigureAwait(false);
            var (grain, states) = GrainClass.Create(_catalog.Services, GrainId);
            grain.Context = this;
            Instance = grain;
            using var timeout = new CancellationTokenSource(_catalog.Options.ActivationTimeout, _catalog.TimeProvider);
            foreach (var state in states)
            {
                await state.ReadStateAsync(timeout.Token).ConfigureAwait(false);
            }

            await RunOnSchedulerAsync(() => grain.OnActivateAsync(timeout.Token))
                .WaitAsync(_catalog.Options.ActivationTimeout, _catalog.TimeProvider).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            FailActivation(exception);
            return;
        }

        lock (_gate)
        {
            _status = ActivationStatus.Valid;
            if (_pendingDeactivation is not null) BeginDeactivationLocked();
            else PumpLocked();
        }

        _catalog.OnActivated(this);
    }

    /// <summary>Drops the activation at once without running grain code (the silo was killed or declared dead).</summary>
    public void Abort()
    {
        List<WorkItem> queued;
        lock (_gate)
        {
            if (_status == ActivationStatus.Invalid) return;
            _status = ActivationStatus.Invalid;
            queued = [.. _queue];
            _queue.Clear();
        }

        StopTimers();
        foreach (var item in queued) item.Completion.TrySetException(new SiloUnavailableException($"The silo holding {GrainId} stopped."));
        _deactivated.TrySetResult();
    }

    private void FailActivation(Exception exception)
    {
        List<WorkItem> queued;
        lock (_gate)
        {
            _status = ActivationStatus.Invalid;
            queued = [.. _queue];
            _queue.Clear();
        }

        _catalog.OnDeactivated(this, activated: false);
        _deactivated.TrySetResult();
        foreach (var item in queued)
        {
            if (exception is NotOwnerException) _catalog.Redispatch(GrainId, item);
            else item.Completion.TrySetException(exception);
        }
    }

    private void BeginDeactivationLocked()
    {
        _status = ActivationStatus.Deactivating;
        var reason = _pendingDeactivation ?? DeactivationReason.Requested;
        var queued = _queue.ToList();
        _queue.Clear();
        _ = DeactivateAsync(reason, queued);
    }

    private async Task DeactivateAsync(DeactivationReason reason, List<WorkItem> queued)
    {
        StopTimers();
        try
        {
            if (Instance is { } grain)
            {
                using var timeout = new CancellationTokenSource(_catalog.Options.DeactivationTimeout, _catalog.TimeProvider);
                await RunOnSchedulerAsync(() => grain.OnDeactivateAsync(reason, timeout.Token))
                    .WaitAsync(_catalog.Options.DeactivationTimeout, _catalog.TimeProvider).ConfigureAwait(false);
            }
        }
        catch (Exception exception)
        {
            _catalog.LogDeactivationFailed(GrainId, reason, exception);
        }

        lock (_gate) _status = ActivationStatus.Invalid;
        _catalog.OnDeactivated(this, activated: true);
        _deactivated.TrySetResult();

        // Requests that never started go to wherever the grain lives now (here again, or its new owner).
        foreach (var item in queued) _catalog.Redispatch(GrainId, item);
    }

    private Task RunOnSchedulerAsync(Func<Task> action) =>
        Task.Factory.StartNew(action, CancellationToken.None, TaskCreationOptions.DenyChildAttach, Scheduler).Unwrap();

    private void StopTimers()
    {
        GrainTimer[] timers;
        lock (_gate) timers = [.. _timers];
        foreach (var timer in timers) timer.Dispose();
    }
}
