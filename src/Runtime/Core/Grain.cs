using FleaMarket.Runtime.Activation;

namespace FleaMarket.Runtime;

/// <summary>Why an activation is going away.</summary>
public enum DeactivationReason
{
    /// <summary>Idle for longer than the collection age.</summary>
    Idle,
    /// <summary>The grain asked for it with <see cref="Grain.DeactivateOnIdle"/>.</summary>
    Requested,
    /// <summary>Another silo owns the grain now (a silo joined or this one is leaving).</summary>
    OwnershipChanged,
    /// <summary>A state write found a newer ETag: the activation is dropped without writing again.</summary>
    InconsistentState,
    /// <summary>The silo is shutting down.</summary>
    SiloStopping,
}

/// <summary>
/// Base class of every grain implementation. One activation of a grain runs one request at a time
/// (unless marked <see cref="ReentrantAttribute"/>), lives on the silo that owns the grain's id, and is
/// collected after it has been idle for a while.
/// </summary>
public abstract class Grain
{
    private IGrainContext? _context;

    /// <summary>The id of this grain.</summary>
    public GrainId GrainId => Context.GrainId;

    /// <summary>Creates references to other grains (calls go through the runtime, wherever they live).</summary>
    protected IGrainFactory GrainFactory => Context.GrainFactory;

    internal IGrainContext Context
    {
        get => _context ?? throw new InvalidOperationException("The grain is not attached to an activation yet (do not use runtime members in the constructor).");
        set => _context = value;
    }

    /// <summary>Runs once when the activation starts, after persistent state was read, before the first request.</summary>
    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs once when the activation ends gracefully; write state here that must survive a hand-off.</summary>
    public virtual Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Deactivates this activation once the current request is done.</summary>
    protected void DeactivateOnIdle() => Context.RequestDeactivation(DeactivationReason.Requested);

    /// <summary>
    /// Starts a timer that runs <paramref name="callback"/> as a turn of this activation (never concurrently
    /// with a request) after <paramref name="dueTime"/> and then every <paramref name="period"/>
    /// (<see cref="Timeout.InfiniteTimeSpan"/> for once). Timers live and die with the activation and do not
    /// keep it from idle collection. Dispose the result to stop it.
    /// </summary>
    protected IDisposable RegisterGrainTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period) =>
        Context.RegisterTimer(callback, dueTime, period);

    /// <summary>Registers or updates a durable reminder for this grain (it must implement <see cref="Reminders.IRemindable"/>).</summary>
    protected Task RegisterOrUpdateReminder(string reminderName, TimeSpan dueTime, TimeSpan period) =>
        Context.Reminders.RegisterOrUpdateAsync(GrainId, reminderName, dueTime, period);

    /// <summary>Removes a reminder of this grain; no-op if it does not exist.</summary>
    protected Task UnregisterReminder(string reminderName) => Context.Reminders.UnregisterAsync(GrainId, reminderName);
}

/// <summary>Key accessors in Orleans' style.</summary>
public static class GrainExtensions
{
    /// <summary>The string key of a grain.</summary>
    public static string GetPrimaryKeyString(this Grain grain) => grain.GrainId.Key;

    /// <summary>The Guid key of a Guid-keyed grain.</summary>
    public static Guid GetPrimaryKey(this Grain grain) => Guid.ParseExact(grain.GrainId.Key, "N");

    /// <summary>The integer key of an integer-keyed grain.</summary>
    public static long GetPrimaryKeyLong(this Grain grain) => long.Parse(grain.GrainId.Key, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The id of the grain a reference points at.</summary>
    public static GrainId GetGrainId(this IGrain grain) => grain is Invocation.GrainReference reference
        ? reference.GrainId
        : grain is Grain implementation ? implementation.GrainId : throw new ArgumentException("Not a grain reference.", nameof(grain));
}
