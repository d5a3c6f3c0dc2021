using System.Text;
using FleaMarket.Runtime.Diagnostics;
using FleaMarket.Runtime.Invocation;
using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.Messaging;
using FleaMarket.Runtime.Serialization;
using FleaMarket.Runtime.Transport;
using Microsoft.Extensions.Logging;

namespace FleaMarket.Runtime.Client;

/// <summary>
/// Calls grains from outside the cluster (the HTTP API). Learns the view from the membership table, sends
/// each call straight to the owning silo, follows redirects, and fails over when a silo dies. It holds no
/// grain state: any number of clients can serve any request.
/// </summary>
public sealed class ClusterClient : IGrainFactory, IAsyncDisposable
{
    private readonly ClientViewSourceBase _views;
    private readonly ConnectionManager _connections;
    private readonly GrainFactory _factory;
    private readonly ClusterClientOptions _options;
    private readonly TimeProvider _time;
    private ITimer? _refresh;

    /// <summary>Creates a client that learns the view from the membership table; call <see cref="ConnectAsync"/> before the first grain call.</summary>
    public ClusterClient(
        IMembershipTable membershipTable,
        ClusterClientOptions? options = null,
        MessagingOptions? messagingOptions = null,
        RouterOptions? routerOptions = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggers = null,
        RuntimeMetrics? metrics = null)
        : this(connections => new ClientViewSource(membershipTable), options, messagingOptions, routerOptions, timeProvider, loggers, metrics)
    {
    }

    /// <summary>
    /// Creates a client that learns the view through any live silo of <paramref name="gateways"/> (no table access needed);
    /// call <see cref="ConnectAsync"/> before the first grain call.
    /// </summary>
    public ClusterClient(
        IReadOnlyList<System.Net.IPEndPoint> gateways,
        ClusterClientOptions? options = null,
        MessagingOptions? messagingOptions = null,
        RouterOptions? routerOptions = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggers = null,
        RuntimeMetrics? metrics = null)
        : this(connections => new GatewayViewSource(gateways, connections, (messagingOptions ?? new MessagingOptions()).ConnectTimeout),
            options, messagingOptions, routerOptions, timeProvider, loggers, metrics)
    {
        if (gateways.Count == 0) throw new ArgumentException("At least one gateway endpoint is needed.", nameof(gateways));
    }

    private ClusterClient(
        Func<ConnectionManager, ClientViewSourceBase> createViews,
        ClusterClientOptions? options,
        MessagingOptions? messagingOptions,
        RouterOptions? routerOptions,
        TimeProvider? timeProvider,
        ILoggerFactory? loggers,
        RuntimeMetrics? metrics)
    {
        _options = options ?? new ClusterClientOptions();
        _options.Validate();
        messagingOptions ??= new MessagingOptions();
        messagingOptions.Validate();
        routerOptions ??= new RouterOptions();
        routerOptions.Validate();
        _time = timeProvider ?? TimeProvider.System;
        _connections = new ConnectionManager(new RejectingHandler(), messagingOptions, _time,
            loggers ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        _views = createViews(_connections);
        metrics ??= new RuntimeMetrics();
        metrics.ObserveMembership(() => _views.CurrentView);
        var router = new GrainCallRouter(_views, snapshot =>
        {
            _views.Adopt(snapshot);
            return Task.CompletedTask;
        }, _connections, new GrainSerializer(), routerOptions, metrics, _time);
        _factory = new GrainFactory(router);
    }

    /// <summary>The membership view calls are routed by.</summary>
    public MembershipView View => _views.CurrentView;

    /// <summary>Reads the membership table until an Active silo is listed (bounded by the connect timeout), then keeps the view fresh.</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        while (true)
        {
            try
            {
                var view = await _views.RefreshAsync(timeout.Token).ConfigureAwait(false);
                if (!view.ActiveSilos.IsEmpty) break;
            }
            catch (RetriableCallException) when (!timeout.IsCancellationRequested)
            {
                // No gateway answered yet: the cluster may still be starting.
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), _time, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"No Active silo appeared in the membership table within {_options.ConnectTimeout}.");
            }
        }

        _refresh ??= _time.CreateTimer(static s => _ = ((ClusterClient)s!).RefreshQuietlyAsync(), this, _options.ViewRefreshPeriod, _options.ViewRefreshPeriod);
    }

    /// <summary>Reads the membership table now.</summary>
    public Task RefreshViewAsync(CancellationToken cancellationToken = default) => _views.RefreshAsync(cancellationToken);

    /// <inheritdoc />
    public TGrain GetGrain<TGrain>(string key) where TGrain : IGrainWithStringKey => _factory.GetGrain<TGrain>(key);

    /// <inheritdoc />
    public TGrain GetGrain<TGrain>(Guid key) where TGrain : IGrainWithGuidKey => _factory.GetGrain<TGrain>(key);

    /// <inheritdoc />
    public TGrain GetGrain<TGrain>(long key) where TGrain : IGrainWithIntegerKey => _factory.GetGrain<TGrain>(key);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_refresh is not null) await _refresh.DisposeAsync().ConfigureAwait(false);
        await _connections.DisposeAsync().ConfigureAwait(false);
    }

    private async Task RefreshQuietlyAsync()
    {
        try
        {
            await _views.RefreshAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The table is unreachable: keep routing on the last view; redirects still move it on.
        }
    }

    /// <summary>Clients host no grains: a request arriving at one is answered "unavailable".</summary>
    private sealed class RejectingHandler : IMessageHandler
    {
        public void OnMessage(Message message, IReplySink replyTo)
        {
            if (message.Kind == MessageKind.Request)
            {
                replyTo.Reply(Message.CreateResponse(message, ResponseStatus.Unavailable, Encoding.UTF8.GetBytes("Clients host no grains."), 0));
            }
        }
    }
}
