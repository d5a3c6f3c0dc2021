using System.Net;
using FleaMarket.Runtime.Activation;
using FleaMarket.Runtime.Diagnostics;
using FleaMarket.Runtime.Invocation;
using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.Reminders;
using FleaMarket.Runtime.Serialization;
using FleaMarket.Runtime.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FleaMarket.Runtime.Hosting;

/// <summary>
/// A silo: listens for calls, joins the cluster through the membership table, hosts the activations of the
/// grains it owns, and hands them off when it leaves. <see cref="StopAsync"/> leaves gracefully;
/// <see cref="Kill"/> stops at once as a crashed process would.
/// </summary>
public sealed partial class Silo : IAsyncDisposable
{
    private readonly IServiceProvider _services;
    private readonly IMembershipTable _table;
    private readonly GrainClassRegistry _registry;
    private readonly SiloOptions _options;
    private readonly ClusterMembershipOptions _membershipOptions;
    private readonly MessagingOptions _messagingOptions;
    private readonly RouterOptions _routerOptions;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly GrainSerializer _serializer = new();
    private SiloListener? _listener;
    private ConnectionManager? _connections;
    private MembershipAgent? _membership;
    private Catalog? _catalog;
    private ReminderService? _reminders;
    private readonly MembershipHistory _history = new();
    private volatile bool _serving;
    private int _stopped;

    internal Silo(
        IServiceProvider services,
        IMembershipTable table,
        GrainClassRegistry registry,
        IOptions<SiloOptions> options,
        IOptions<ClusterMembershipOptions> membershipOptions,
        IOptions<MessagingOptions> messagingOptions,
        IOptions<CatalogOptions> catalogOptions,
        IOptions<RouterOptions> routerOptions,
        IOptions<ReminderOptions> reminderOptions,
        IReminderTable reminderTable,
        RuntimeMetrics metrics,
        TimeProvider timeProvider,
        ILoggerFactory loggers)
    {
        _services = services;
        _table = table;
        _registry = registry;
        _options = options.Value;
        _membershipOptions = membershipOptions.Value;
        _messagingOptions = messagingOptions.Value;
        CatalogOptions = catalogOptions.Value;
        _routerOptions = routerOptions.Value;
        ReminderOptions = reminderOptions.Value;
        ReminderTable = reminderTable;
        Metrics = metrics;
        TimeProvider = timeProvider;
        _loggers = loggers;
        _logger = loggers.CreateLogger("FleaMarket.Runtime.Silo");
    }

    /// <summary>This silo's address; valid after <see cref="StartAsync"/>.</summary>
    public SiloAddress Address { get; private set; }

    /// <summary>Creates references for calls made from this silo (grain-to-grain calls use it too).</summary>
    public IGrainFactory GrainFactory { get; private set; } = null!;

    /// <summary>The silo's instruments.</summary>
    public RuntimeMetrics Metrics { get; }

    /// <summary>Completes when the silo has stopped, gracefully or not (e.g. after reading itself Dead).</summary>
    public Task Stopped => _stoppedSignal.Task;

    /// <summary>The membership view this silo acts on.</summary>
    public MembershipView View => _membership?.CurrentView ?? MembershipView.Empty;

    /// <summary>When this silo started.</summary>
    public DateTimeOffset StartedAt { get; private set; }

    /// <summary>Name of this silo (<see cref="SiloOptions.SiloName"/>).</summary>
    public string Name => _options.SiloName;

    /// <summary>The views this silo adopted, oldest first (bounded), for the dashboard.</summary>
    public IReadOnlyList<MembershipChange> MembershipHistory => _history.Changes;

    /// <summary>Number of live activations.</summary>
    public int ActivationCount => _catalog?.Count ?? 0;

    internal bool IsServing => _serving;

    internal MembershipAgent Membership => _membership!;

    internal Catalog Catalog => _catalog!;

    internal CatalogOptions CatalogOptions { get; }

    /// <summary>Largest result a grain call can send back (the frame limit less room for the header).</summary>
    internal int MaxResponseBodyBytes => _messagingOptions.MaxMessageBytes - 64 * 1024;

    internal ReminderOptions ReminderOptions { get; }

    internal IReminderTable ReminderTable { get; }

    internal TimeProvider TimeProvider { get; }

    internal IEnumerable<GrainId> ActivationIds => _catalog?.Activations.Select(a => a.GrainId) ?? [];

    private readonly TaskCompletionSource _stoppedSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Binds the port, joins the cluster (Joining → Active) and starts serving.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        _options.Validate();
        _messagingOptions.Validate();
        CatalogOptions.Validate();
        _routerOptions.Validate();
        var handler = new SiloMessageHandler(_serializer, _loggers.CreateLogger<SiloMessageHandler>());
        var listenAddress = IPAddress.Parse(_options.ListenAddress ?? _options.AdvertisedAddress);
        _listener = new SiloListener(new IPEndPoint(listenAddress, _options.Port), handler, _messagingOptions, TimeProvider, _loggers);
        _listener.Start();
        Address = new SiloAddress(_options.AdvertisedAddress, _listener.LocalEndPoint.Port, NextGeneration());
        StartedAt = TimeProvider.GetUtcNow();
        _connections = new ConnectionManager(handler, _messagingOptions, TimeProvider, _loggers);
        var control = new SiloControl(_connections, () => View.Version, CatalogOptions.HandoffTimeout);
        _membership = new MembershipAgent(_table, control, _membershipOptions, TimeProvider,
            _loggers.CreateLogger<MembershipAgent>(), Address, _options.SiloName);
        var router = new GrainCallRouter(_membership, _ => _membership.RefreshAsync(), _connections, _serializer, _routerOptions, Metrics, TimeProvider);
        GrainFactory = new GrainFactory(router);
        _reminders = new ReminderService(this, ReminderTable, ReminderOptions, (GrainFactory)GrainFactory, TimeProvider, _loggers.CreateLogger<ReminderService>());
        _catalog = new Catalog(Address, _registry, _membership, control, _services, GrainFactory, _reminders, CatalogOptions,
            TimeProvider, Metrics, _loggers.CreateLogger<Catalog>());
        router.Local = (_catalog, Address);
        _membership.ViewChanged += OnViewChanged;
        Metrics.ObserveMembership(() => View);
        _membership.DeclaredDead += OnDeclaredDead;
        handler.Attach(this);
        _serving = true;
        await _membership.JoinAsync(cancellationToken).ConfigureAwait(false);
        _reminders.Start();
        LogStarted(_logger, Address, _options.SiloName, View.Version);
    }

    /// <summary>
    /// Leaves gracefully: ShuttingDown in the table, every activation deactivated (state written) and handed
    /// off, then Dead, then the port closes.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_membership is null || Interlocked.Exchange(ref _stopped, 1) == 1) return;
        LogStopping(_logger, Address);
        _reminders?.Stop();
        try
        {
            await _membership.ShutDownAsync(cancellationToken).ConfigureAwait(false);
            await _catalog!.WaitForHandoffAsync(_membership.CurrentView.Version, cancellationToken).ConfigureAwait(false);
            await _membership.MarkDeadAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await ShutDownTransportAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Stops at once without telling anyone, as if the process died: peers must detect it by probing.</summary>
    public void Kill()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        LogKilled(_logger, Address);
        _ = ShutDownTransportAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0) await ShutDownTransportAsync().ConfigureAwait(false);
        await _stoppedSignal.Task.ConfigureAwait(false);
    }

    private async Task ShutDownTransportAsync()
    {
        _serving = false;
        _reminders?.Stop();
        if (_membership is not null) await _membership.StopAsync().ConfigureAwait(false);
        _catalog?.Abort();
        if (_listener is not null) await _listener.DisposeAsync().ConfigureAwait(false);
        if (_connections is not null) await _connections.DisposeAsync().ConfigureAwait(false);
        _stoppedSignal.TrySetResult();
    }

    private void OnViewChanged(MembershipView view)
    {
        Metrics.MembershipChanged();
        _history.Record(view, TimeProvider.GetUtcNow());
        _catalog!.OnViewChanged(view);
        foreach (var entry in view.Snapshot.Entries)
        {
            if (entry.Status == SiloStatus.Dead) _connections!.CloseConnection(entry.Silo);
        }

        _reminders?.OnViewChanged(view);
    }

    private void OnDeclaredDead()
    {
        // A silo the cluster declared dead must stop serving at once: its grains are already elsewhere.
        LogDeclaredDead(_logger, Address);
        Kill();
    }

    private static long s_lastGeneration;

    private long NextGeneration()
    {
        // Unique per process start even when two silos start within one millisecond.
        var now = TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        while (true)
        {
            var last = Interlocked.Read(ref s_lastGeneration);
            var next = Math.Max(now, last + 1);
            if (Interlocked.CompareExchange(ref s_lastGeneration, next, last) == last) return next;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {Silo} ({SiloName}) is active in view {ViewVersion}")]
    private static partial void LogStarted(ILogger logger, SiloAddress silo, string siloName, long viewVersion);

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {Silo} is shutting down gracefully")]
    private static partial void LogStopping(ILogger logger, SiloAddress silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Silo} was killed")]
    private static partial void LogKilled(ILogger logger, SiloAddress silo);

    [LoggerMessage(Level = LogLevel.Error, Message = "Silo {Silo} read itself Dead in the membership table and stops at once")]
    private static partial void LogDeclaredDead(ILogger logger, SiloAddress silo);
}
