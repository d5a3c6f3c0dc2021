using Microsoft.Extensions.Logging;

namespace FleaMarket.Runtime.Membership;

/// <summary>
/// The membership protocol of one silo: joins the table, keeps the local view current, writes
/// I-am-alive, probes its peers and votes silent ones dead, and leaves. Every status or vote change is a
/// compare-and-swap on the table version; on conflict it re-reads and decides again.
/// </summary>
internal sealed partial class MembershipAgent : IMembershipViewSource, IAsyncDisposable
{
    private const int MaxCasAttempts = 100;
    private static readonly TimeSpan s_cleanupInterval = TimeSpan.FromHours(1);

    private readonly IMembershipTable _table;
    private readonly IMembershipPeers _peers;
    private readonly ClusterMembershipOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _siloName;
    private readonly SiloProbeMonitor _monitor;
    private readonly RecurringWork _refreshLoop;
    private readonly RecurringWork _iAmAliveLoop;
    private readonly RecurringWork _probeLoop;

    private readonly Lock _viewGate = new();
    private readonly Queue<MembershipView> _unannouncedViews = new();
    private volatile MembershipView _view = MembershipView.Empty;
    private bool _announcing;
    private long _insertedVersion; // version that first held our row; 0 before
    private bool _leaving;         // we write ourselves Dead: that is no surprise to announce
    private bool _declaredDead;
    private int _joinStarted;
    private DateTimeOffset _lastCleanup = DateTimeOffset.MinValue;

    public MembershipAgent(
        IMembershipTable table,
        IMembershipPeers peers,
        ClusterMembershipOptions options,
        TimeProvider time,
        ILogger logger,
        SiloAddress localSilo,
        string siloName)
    {
        options.Validate();
        _table = table;
        _peers = peers;
        _options = options;
        _time = time;
        _logger = logger;
        LocalSilo = localSilo;
        _siloName = siloName;
        _monitor = new SiloProbeMonitor(peers, options, time, logger, localSilo);
        _refreshLoop = new RecurringWork(time, options.TableRefreshPeriod, ReadAsync, e => OnLoopFailed(e, "refresh"));
        _iAmAliveLoop = new RecurringWork(time, options.IAmAlivePeriod, WriteIAmAliveAsync, e => OnLoopFailed(e, "I-am-alive"));
        _probeLoop = new RecurringWork(time, options.ProbeTimeout, ProbeRoundAsync, e => OnLoopFailed(e, "probe round"));
    }

    /// <summary>The silo this agent speaks for.</summary>
    public SiloAddress LocalSilo { get; }

    /// <summary>The newest view this silo adopted; only ever moves to higher versions.</summary>
    public MembershipView CurrentView => _view;

    /// <summary>True once the silo read itself Dead (or was removed); it must not serve any more.</summary>
    public bool IsDeclaredDead
    {
        get { lock (_viewGate) return _declaredDead; }
    }

    /// <summary>Raised once per adopted view, in version order, never concurrently with itself.</summary>
    public event Action<MembershipView>? ViewChanged;

    /// <summary>
    /// Raised once when a table read shows this silo Dead, or without a row after it joined, unless the
    /// silo wrote that itself (<see cref="MarkDeadAsync"/>). The loops are already stopped; the silo must stop serving at once.
    /// </summary>
    public event Action? DeclaredDead;

    /// <summary>Stops the loops without writing anything (an abrupt stop).</summary>
    public async Task StopAsync()
    {
        await _refreshLoop.StopAsync().ConfigureAwait(false);
        await _iAmAliveLoop.StopAsync().ConfigureAwait(false);
        await _probeLoop.StopAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private void StartLoops()
    {
        _refreshLoop.Start();
        _iAmAliveLoop.Start();
        _probeLoop.Start();
    }

    private void StopLoops()
    {
        _refreshLoop.Stop();
        _iAmAliveLoop.Stop();
        _probeLoop.Stop();
    }

    private void OnLoopFailed(Exception exception, string operation) =>
        _logger.TableOperationFailed(exception, LocalSilo, operation, _view.Version);

    private async Task WriteIAmAliveAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        await _table.UpdateIAmAliveAsync(LocalSilo, now, cancellationToken).ConfigureAwait(false);

        if (now - _lastCleanup < s_cleanupInterval) return;
        _lastCleanup = now;
        var removed = await _table.CleanupDefunctEntriesAsync(now - _options.DefunctSiloExpiration, cancellationToken).ConfigureAwait(false);
        if (removed > 0) _logger.CleanedUp(LocalSilo, removed);
    }

    private async Task ProbeRoundAsync(CancellationToken cancellationToken)
    {
        var view = _view;
        if (view.GetStatus(LocalSilo) != SiloStatus.Active) return;

        var suspects = await _monitor.ProbeRoundAsync(view, cancellationToken).ConfigureAwait(false);
        foreach (var suspect in suspects)
        {
            await SuspectAsync(suspect, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SuspectAsync(SiloAddress target, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxCasAttempts; attempt++)
        {
            var snapshot = await ReadAsync(cancellationToken).ConfigureAwait(false);
            var row = snapshot.Find(target);
            // Only Active silos vote, and only against silos still Active: anything else was settled already.
            if (snapshot.Find(LocalSilo)?.Status != SiloStatus.Active || row?.Status != SiloStatus.Active) return;

            var vote = DeathVote.Cast(snapshot, row, LocalSilo, _time.GetUtcNow(), _options);
            if (vote.RowToWrite is null) return;
            if (!await TryWriteAsync(snapshot, vote.RowToWrite, insert: false, cancellationToken).ConfigureAwait(false)) continue;

            if (vote.DeclaresDead) _logger.DeclaredPeerDead(LocalSilo, target, snapshot.Version + 1);
            else _logger.VotedSuspect(LocalSilo, target, snapshot.Version + 1, vote.FreshVotes, vote.VotesNeeded);
            return;
        }

        throw CasExhausted($"vote against {target}");
    }

    private InvalidOperationException CasExhausted(string what) =>
        new($"Silo {LocalSilo} gave up to {what} after {MaxCasAttempts} conflicting writes to the membership table.");
}
