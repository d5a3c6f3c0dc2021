namespace FleaMarket.Runtime.Membership;

/// <summary>Join, graceful shutdown and self-declared death.</summary>
internal sealed partial class MembershipAgent
{
    /// <summary>I-am-alive periods without a heartbeat after which a silent silo counts as gone when a silo joins.</summary>
    private const int StaleIAmAlivePeriods = 3;

    /// <summary>
    /// Inserts this silo as Joining, waits until every Active silo answered a probe or was declared dead
    /// (bounded by <see cref="ClusterMembershipOptions.JoinTimeout"/>), writes itself Active, adopts that view
    /// and starts the background loops. Rows of earlier generations on the same endpoint are declared dead first.
    /// </summary>
    /// <exception cref="InvalidOperationException">Some Active silo neither answered nor died in time, or this silo was declared dead while joining.</exception>
    public async Task JoinAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _joinStarted, 1) != 0)
        {
            throw new InvalidOperationException($"Silo {LocalSilo} already joined; an agent joins once.");
        }

        await InsertSelfAsync(cancellationToken).ConfigureAwait(false);
        await AwaitConnectivityAsync(cancellationToken).ConfigureAwait(false);

        var self = await UpdateSelfAsync(
            row => row.Status == SiloStatus.Joining ? row with { Status = SiloStatus.Active, IAmAliveTime = _time.GetUtcNow() } : null,
            cancellationToken).ConfigureAwait(false);
        if (self?.Status != SiloStatus.Active)
        {
            throw new InvalidOperationException($"Silo {LocalSilo} was declared dead or removed from the membership table while joining.");
        }

        StartLoops();
        if (IsDeclaredDead) StopLoops();
    }

    /// <summary>Writes this silo ShuttingDown and adopts that view; the silo then hands its grains off. The loops keep running.</summary>
    public async Task ShutDownAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _insertedVersion) == 0) return;
        await UpdateSelfAsync(
            row => row.Status is SiloStatus.Joining or SiloStatus.Active ? row with { Status = SiloStatus.ShuttingDown } : null,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes this silo Dead (the last step of a graceful stop) and stops the loops. Raises no <see cref="DeclaredDead"/>.</summary>
    public async Task MarkDeadAsync(CancellationToken cancellationToken)
    {
        lock (_viewGate) _leaving = true;
        StopLoops();
        if (Volatile.Read(ref _insertedVersion) != 0)
        {
            await UpdateSelfAsync(row => row.Status == SiloStatus.Dead ? null : row with { Status = SiloStatus.Dead }, cancellationToken)
                .ConfigureAwait(false);
        }

        await StopAsync().ConfigureAwait(false);
    }

    private async Task InsertSelfAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxCasAttempts; attempt++)
        {
            var snapshot = await ReadAsync(cancellationToken).ConfigureAwait(false);

            // We listen on this endpoint now, so an earlier generation on it is certainly gone.
            var previous = snapshot.Entries.FirstOrDefault(e =>
                e.Silo.Host == LocalSilo.Host && e.Silo.Port == LocalSilo.Port
                && e.Silo.Generation < LocalSilo.Generation && e.Status != SiloStatus.Dead);
            if (previous is not null)
            {
                if (await TryWriteAsync(snapshot, previous with { Status = SiloStatus.Dead }, insert: false, cancellationToken).ConfigureAwait(false))
                {
                    _logger.DeclaredPreviousGenerationDead(LocalSilo, previous.Silo, snapshot.Version + 1);
                }

                continue;
            }

            if (snapshot.Find(LocalSilo) is not null)
            {
                Interlocked.CompareExchange(ref _insertedVersion, snapshot.Version, 0);
                return;
            }

            var now = _time.GetUtcNow();
            var row = new MembershipEntry(LocalSilo, SiloStatus.Joining, _siloName, now, now);
            if (await TryWriteAsync(snapshot, row, insert: true, cancellationToken).ConfigureAwait(false)) return;
        }

        throw CasExhausted("insert itself");
    }

    private async Task AwaitConnectivityAsync(CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + _options.JoinTimeout;
        var answered = new HashSet<SiloAddress>();
        while (true)
        {
            var snapshot = await ReadAsync(cancellationToken).ConfigureAwait(false);
            var pending = snapshot.Entries
                .Where(e => e.Status == SiloStatus.Active && e.Silo != LocalSilo && !answered.Contains(e.Silo))
                .Select(e => e.Silo)
                .ToList();
            if (pending.Count == 0) return;

            var answers = await Task.WhenAll(pending.Select(s => _monitor.ProbeAsync(s, cancellationToken))).ConfigureAwait(false);
            answered.UnionWith(pending.Where((_, i) => answers[i]));
            pending.RemoveAll(answered.Contains);
            if (pending.Count == 0) return;

            var now = _time.GetUtcNow();

            // A silo that neither answers nor has written I-am-alive for several periods is gone (e.g. the whole
            // cluster was killed and restarts on new endpoints): no live peer is left to vote it dead, so the
            // joiner declares it.
            var staleBefore = now - (_options.IAmAlivePeriod * StaleIAmAlivePeriods) - _options.ProbeTimeout;
            if (snapshot.Entries.FirstOrDefault(e => pending.Contains(e.Silo) && e.IAmAliveTime < staleBefore) is { } stale)
            {
                if (await TryWriteAsync(snapshot, stale with { Status = SiloStatus.Dead }, insert: false, cancellationToken).ConfigureAwait(false))
                {
                    _logger.DeclaredStaleSiloDead(LocalSilo, stale.Silo, snapshot.Version + 1);
                }

                continue;
            }

            var silos = string.Join(", ", pending);
            if (now >= deadline)
            {
                throw new InvalidOperationException(
                    $"Silo {LocalSilo} could not join the cluster: within JoinTimeout ({_options.JoinTimeout}) the Active silos {silos} " +
                    "neither answered a probe nor were declared dead. Check that the silos can reach each other.");
            }

            _logger.JoinWaiting(LocalSilo, silos);
            var wait = deadline - now < _options.ProbeTimeout ? deadline - now : _options.ProbeTimeout;
            await DelayAsync(wait, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A delay on the injected clock that resumes inline in the timer callback (Task.Delay with a
    /// TimeProvider resumes on the thread pool), so a manual clock drives the join deterministically.
    /// </summary>
    private async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        var elapsed = new TaskCompletionSource();
        using var timer = _time.CreateTimer(static s => ((TaskCompletionSource)s!).TrySetResult(), elapsed, delay, Timeout.InfiniteTimeSpan);
        using var registration = cancellationToken.Register(() => elapsed.TrySetCanceled(cancellationToken));
        await elapsed.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// CAS loop on the local row; <paramref name="change"/> returns null when there is nothing to write.
    /// Returns the row as it now is, or null if it is gone.
    /// </summary>
    private async Task<MembershipEntry?> UpdateSelfAsync(Func<MembershipEntry, MembershipEntry?> change, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxCasAttempts; attempt++)
        {
            var snapshot = await ReadAsync(cancellationToken).ConfigureAwait(false);
            var row = snapshot.Find(LocalSilo);
            if (row is null) return null;

            var changed = change(row);
            if (changed is null) return row;
            if (await TryWriteAsync(snapshot, changed, insert: false, cancellationToken).ConfigureAwait(false))
            {
                _logger.WroteOwnStatus(LocalSilo, changed.Status, snapshot.Version + 1);
                return changed;
            }
        }

        throw CasExhausted("update itself");
    }
}
