namespace FleaMarket.Runtime.Membership;

/// <summary>Reading, writing and adopting table versions.</summary>
internal sealed partial class MembershipAgent
{
    private readonly Lock _refreshGate = new();
    private TaskCompletionSource<MembershipView>? _queuedRefresh;
    private bool _refreshing;

    /// <summary>
    /// Reads the table now and adopts it if newer; returns the current view. Callers that arrive while a
    /// read is running share the next read, which starts after it, so each sees a version at least as new as
    /// the table when it called. Throws if the table cannot be read.
    /// </summary>
    public Task<MembershipView> RefreshAsync(CancellationToken cancellationToken = default)
    {
        TaskCompletionSource<MembershipView> waiter;
        bool startReading;
        lock (_refreshGate)
        {
            waiter = _queuedRefresh ??= new(TaskCreationOptions.RunContinuationsAsynchronously);
            startReading = !_refreshing;
            if (startReading)
            {
                _refreshing = true;
                _queuedRefresh = null;
            }
        }

        if (startReading) _ = RunRefreshesAsync(waiter);
        return waiter.Task.WaitAsync(cancellationToken);
    }

    private async Task RunRefreshesAsync(TaskCompletionSource<MembershipView> waiter)
    {
        while (true)
        {
            try
            {
                await ReadAsync(CancellationToken.None).ConfigureAwait(false);
                waiter.TrySetResult(_view);
            }
            catch (Exception exception)
            {
                waiter.TrySetException(exception);
            }

            lock (_refreshGate)
            {
                if (_queuedRefresh is null)
                {
                    _refreshing = false;
                    return;
                }

                waiter = _queuedRefresh;
                _queuedRefresh = null;
            }
        }
    }

    private async Task<MembershipSnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        var snapshot = await _table.ReadAllAsync(cancellationToken).ConfigureAwait(false);
        Adopt(snapshot);
        return snapshot;
    }

    /// <summary>
    /// Writes <paramref name="row"/> as version <c>read.Version + 1</c>; on success adopts the table as written
    /// (the CAS proves it is exactly <paramref name="read"/> plus this row) and tells the peers.
    /// </summary>
    private async Task<bool> TryWriteAsync(MembershipSnapshot read, MembershipEntry row, bool insert, CancellationToken cancellationToken)
    {
        var newVersion = read.Version + 1;
        var written = insert
            ? await _table.TryInsertAsync(row, newVersion, cancellationToken).ConfigureAwait(false)
            : await _table.TryUpdateAsync(row, newVersion, cancellationToken).ConfigureAwait(false);
        if (!written) return false;

        if (insert && row.Silo == LocalSilo)
        {
            lock (_viewGate) _insertedVersion = newVersion;
        }

        var snapshot = new MembershipSnapshot(newVersion, [.. read.Entries.Where(e => e.Silo != row.Silo).Append(row).OrderBy(e => e.Silo)]);
        Adopt(snapshot);
        NotifyPeers(snapshot);
        return true;
    }

    private void NotifyPeers(MembershipSnapshot snapshot)
    {
        var peers = snapshot.Entries
            .Where(e => e.Silo != LocalSilo && e.Status is SiloStatus.Joining or SiloStatus.Active or SiloStatus.ShuttingDown)
            .Select(e => e.Silo)
            .ToList();
        try
        {
            _peers.NotifyTableChanged(peers, snapshot.Version);
        }
        catch (Exception exception)
        {
            // Best effort: peers also refresh on their own every TableRefreshPeriod.
            _logger.NotifyFailed(exception, LocalSilo);
        }
    }

    /// <summary>Adopts <paramref name="snapshot"/> if it is newer than the current view, announces it, and detects our own death.</summary>
    private void Adopt(MembershipSnapshot snapshot)
    {
        bool announce = false, declaredDead = false;
        lock (_viewGate)
        {
            if (snapshot.Version < _view.Version && _insertedVersion > 0 && snapshot.Find(LocalSilo) is null)
            {
                // The table went back in time and forgot this silo: its engine lost data (e.g. Redis without
                // persistence restarted). Keep serving on the last view, and say so loudly: a silo joining the
                // empty table would start a second cluster.
                _logger.TableLostData(LocalSilo, snapshot.Version, _view.Version);
                return;
            }

            if (snapshot.Version <= _view.Version) return;

            var view = new MembershipView(snapshot);
            _view = view;
            _unannouncedViews.Enqueue(view);
            if (!_announcing) _announcing = announce = true;

            if (!_declaredDead && !_leaving && _insertedVersion > 0 && snapshot.Version >= _insertedVersion
                && snapshot.Find(LocalSilo)?.Status is null or SiloStatus.Dead)
            {
                _declaredDead = declaredDead = true;
            }
        }

        if (announce) AnnounceViews();
        if (!declaredDead) return;

        _logger.ReadSelfDead(LocalSilo, snapshot.Version);
        StopLoops();
        try
        {
            DeclaredDead?.Invoke();
        }
        catch (Exception exception)
        {
            _logger.HandlerFailed(exception, LocalSilo);
        }
    }

    /// <summary>Raises ViewChanged for queued views in order; only one thread announces at a time.</summary>
    private void AnnounceViews()
    {
        while (true)
        {
            MembershipView? view;
            lock (_viewGate)
            {
                if (!_unannouncedViews.TryDequeue(out view))
                {
                    _announcing = false;
                    return;
                }
            }

            _logger.AdoptedView(LocalSilo, view.Version, view.ActiveSilos.Length);
            try
            {
                ViewChanged?.Invoke(view);
            }
            catch (Exception exception)
            {
                _logger.HandlerFailed(exception, LocalSilo);
            }
        }
    }
}
