using System.Collections.Concurrent;
using FleaMarket.Runtime.Diagnostics;
using FleaMarket.Runtime.Invocation;
using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.Placement;
using FleaMarket.Runtime.Reminders;
using Microsoft.Extensions.Logging;

namespace FleaMarket.Runtime.Activation;

/// <summary>
/// The activations of one silo: finds or creates the activation for each request, deactivates idle
/// ones and hands grains off when the membership view says another silo owns them now.
/// </summary>
internal sealed partial class Catalog : IAsyncDisposable
{
    private readonly ConcurrentDictionary<GrainId, ActivationData> _activations = new();
    private readonly GrainClassRegistry _registry;
    private readonly IMembershipViewSource _membership;
    private readonly ISiloControl _control;
    private readonly ILogger _logger;
    private readonly RuntimeMetrics _metrics;
    private readonly ITimer _collector;
    private volatile bool _stopped;

    public Catalog(
        SiloAddress self,
        GrainClassRegistry registry,
        IMembershipViewSource membership,
        ISiloControl control,
        IServiceProvider services,
        IGrainFactory grainFactory,
        IReminderRegistry reminders,
        CatalogOptions options,
        TimeProvider timeProvider,
        RuntimeMetrics metrics,
        ILogger logger)
    {
        Self = self;
        _registry = registry;
        _membership = membership;
        _control = control;
        Services = services;
        GrainFactory = grainFactory;
        Reminders = reminders;
        Options = options;
        TimeProvider = timeProvider;
        _metrics = metrics;
        _logger = logger;
        _ = Task.Run(ProcessViewChangesAsync);
        _collector = timeProvider.CreateTimer(static s => ((Catalog)s!).CollectIdle(), this, options.CollectionQuantum, options.CollectionQuantum);
    }

    public SiloAddress Self { get; }

    public IServiceProvider Services { get; }

    public IGrainFactory GrainFactory { get; }

    public IReminderRegistry Reminders { get; }

    public CatalogOptions Options { get; }

    public TimeProvider TimeProvider { get; }

    public int Count => _activations.Count;

    /// <summary>Calls served by this silo, per grain type, for the dashboard.</summary>
    public CallStatistics Statistics { get; } = new();

    public IEnumerable<ActivationData> Activations => _activations.Values;

    /// <summary>
    /// Hands a request to the grain's activation here, creating it if needed. If this silo does not own the
    /// grain in its current view the item fails with <see cref="NotOwnerException"/> (nothing ran).
    /// </summary>
    public void Dispatch(GrainId grainId, WorkItem item)
    {
        if (_stopped)
        {
            item.Completion.TrySetException(new RequestRejectedException($"Silo {Self} is stopping."));
            return;
        }

        var view = _membership.CurrentView;
        if (GrainOwnership.OwnerOf(grainId, view) != Self)
        {
            item.Completion.TrySetException(new NotOwnerException(grainId, view));
            return;
        }

        var grainClass = _registry.Find(grainId.Type);
        if (grainClass is null)
        {
            item.Completion.TrySetException(new InvalidOperationException($"No grain class for grain type '{grainId.Type}' is registered on silo {Self}."));
            return;
        }

        if (!_activations.TryGetValue(grainId, out var activation))
        {
            var created = new ActivationData(grainId, grainClass, this);
            activation = _activations.GetOrAdd(grainId, created);
            if (activation == created) _ = Task.Run(created.ActivateAsync);
        }

        if (!activation.TryEnqueue(item))
        {
            // The activation is on its way out; once it is gone, this request creates the next one.
            activation.Deactivated.ContinueWith(static (_, s) =>
            {
                var (catalog, id, work) = ((Catalog, GrainId, WorkItem))s!;
                catalog.Dispatch(id, work);
            }, (this, grainId, item), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>Dispatches a request that had been queued on an activation that went away.</summary>
    public void Redispatch(GrainId grainId, WorkItem item) => Dispatch(grainId, item);

    internal void OnActivated(ActivationData activation) => _metrics.ActivationCreated(activation.GrainClass.GrainType);

    internal void OnDeactivated(ActivationData activation, bool activated)
    {
        _activations.TryRemove(new KeyValuePair<GrainId, ActivationData>(activation.GrainId, activation));
        if (activated) _metrics.ActivationRemoved(activation.GrainClass.GrainType);
    }

    /// <summary>Drops every activation without running grain code: the silo was killed or declared dead.</summary>
    public void Abort()
    {
        _stopped = true;
        _collector.Dispose();
        _viewChanges.Writer.TryComplete();
        foreach (var activation in _activations.Values)
        {
            activation.Abort();
            OnDeactivated(activation, activated: activation.Instance is not null);
        }
    }

    public ValueTask DisposeAsync()
    {
        Abort();
        return ValueTask.CompletedTask;
    }

    private void CollectIdle()
    {
        var olderThan = TimeProvider.GetTimestamp() - (long)(Options.CollectionAge.TotalSeconds * TimeProvider.TimestampFrequency);
        foreach (var activation in _activations.Values)
        {
            activation.DeactivateIfIdleSince(olderThan);
        }
    }

    internal void LogDeactivationFailed(GrainId grainId, DeactivationReason reason, Exception exception) =>
        LogDeactivationError(_logger, grainId, reason, exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deactivation of {GrainId} ({Reason}) failed")]
    private static partial void LogDeactivationError(ILogger logger, GrainId grainId, DeactivationReason reason, Exception exception);
}
