using System.Collections.Concurrent;
using FleaMarket.Runtime.Hosting;
using FleaMarket.Runtime.Invocation;
using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.Placement;
using Microsoft.Extensions.Logging;

namespace FleaMarket.Runtime.Reminders;

/// <summary>
/// Fires the reminders of the grains this silo owns. The table is the truth; each silo keeps local timers
/// only for reminders whose grain it owns in its current view, and re-reads the table on every view change
/// and every refresh period, so reminders follow their grains when silos come and go.
/// </summary>
internal sealed partial class ReminderService(
    Silo silo,
    IReminderTable table,
    ReminderOptions options,
    GrainFactory grainFactory,
    TimeProvider time,
    ILogger logger) : IReminderRegistry
{
    private readonly ConcurrentDictionary<(GrainId, string), LocalReminder> _local = new();
    private ITimer? _refresh;
    private volatile bool _stopped;

    public void Start()
    {
        options.Validate();
        _refresh = time.CreateTimer(static s => _ = ((ReminderService)s!).RefreshAsync(), this, TimeSpan.Zero, options.RefreshPeriod);
    }

    public void Stop()
    {
        _stopped = true;
        _refresh?.Dispose();
        foreach (var reminder in _local.Values) reminder.Dispose();
        _local.Clear();
    }

    public void OnViewChanged(MembershipView view) => _ = RefreshAsync();

    public async Task RegisterOrUpdateAsync(GrainId grainId, string reminderName, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reminderName);
        if (period < options.MinimumPeriod)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, $"Reminder periods must be at least {options.MinimumPeriod} (Reminders:MinimumPeriod).");
        }

        var entry = new ReminderEntry(grainId, reminderName, time.GetUtcNow() + dueTime, period);
        await table.UpsertAsync(entry).ConfigureAwait(false);
        Schedule(entry);
    }

    public async Task UnregisterAsync(GrainId grainId, string reminderName)
    {
        await table.RemoveAsync(grainId, reminderName).ConfigureAwait(false);
        if (_local.TryRemove((grainId, reminderName), out var reminder)) reminder.Dispose();
    }

    private async Task RefreshAsync()
    {
        if (_stopped) return;
        try
        {
            var entries = await table.ReadAllAsync().ConfigureAwait(false);
            var view = silo.View;
            var owned = entries.Where(e => GrainOwnership.OwnerOf(e.GrainId, view) == silo.Address).ToDictionary(e => (e.GrainId, e.Name));
            foreach (var (key, reminder) in _local)
            {
                if (!owned.TryGetValue(key, out var entry) || entry != reminder.Entry)
                {
                    if (_local.TryRemove(new KeyValuePair<(GrainId, string), LocalReminder>(key, reminder))) reminder.Dispose();
                }
            }

            foreach (var entry in owned.Values) Schedule(entry);
        }
        catch (Exception exception)
        {
            LogRefreshFailed(logger, exception);
        }
    }

    private void Schedule(ReminderEntry entry)
    {
        if (_stopped) return;
        var key = (entry.GrainId, entry.Name);
        if (_local.TryGetValue(key, out var existing))
        {
            if (existing.Entry == entry) return;
            if (_local.TryRemove(new KeyValuePair<(GrainId, string), LocalReminder>(key, existing))) existing.Dispose();
        }

        var created = new LocalReminder(entry, this);
        if (_local.TryAdd(key, created)) created.Arm();
        else created.Dispose();
    }

    private async Task FireAsync(ReminderEntry entry, DateTimeOffset due)
    {
        try
        {
            // While ownership moves, two silos may both hold a timer for this tick; the table lets one fire it.
            if (!await table.TryClaimTickAsync(entry.GrainId, entry.Name, due).ConfigureAwait(false)) return;
            var grain = (IRemindable)grainFactory.GetGrain(typeof(IRemindable), entry.GrainId);
            await grain.ReceiveReminder(entry.Name, new TickStatus(entry.FirstDue, entry.Period, due)).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            LogFireFailed(logger, entry.Name, entry.GrainId, exception);
        }
    }

    private TimeProvider Time => time;

    /// <summary>The local timer of one owned reminder: fires at each due time from now on, then re-arms for the next.</summary>
    private sealed class LocalReminder(ReminderEntry entry, ReminderService service) : IDisposable
    {
        private static readonly TimeSpan MaxTimerStep = TimeSpan.FromDays(1);

        private readonly Lock _gate = new();
        private ITimer? _timer;
        private bool _disposed;

        public ReminderEntry Entry { get; } = entry;

        /// <summary>Schedules the first due time that is not before now and, after a tick, later than <paramref name="lastDue"/>.</summary>
        public void Arm(DateTimeOffset? lastDue = null)
        {
            var now = service.Time.GetUtcNow();
            var due = lastDue is { } last ? last + Entry.Period : Entry.FirstDue;
            if (due < now && Entry.Period > TimeSpan.Zero)
            {
                // Ticks missed while no silo owned the grain are skipped, not replayed.
                due += Entry.Period * Math.Ceiling((now - due).Ticks / (double)Entry.Period.Ticks);
            }

            ArmFor(due);
        }

        /// <summary>
        /// Waits for <paramref name="due"/>. A timer cannot wait longer than about 49 days, so a far reminder
        /// (a market announced months ahead) waits in steps of at most a day and re-arms until it is due.
        /// </summary>
        private void ArmFor(DateTimeOffset due)
        {
            var wait = due - service.Time.GetUtcNow();
            if (wait < TimeSpan.Zero) wait = TimeSpan.Zero;
            var step = wait > MaxTimerStep ? MaxTimerStep : wait;
            lock (_gate)
            {
                if (_disposed) return;
                _timer?.Dispose();
                _timer = service.Time.CreateTimer(_ =>
                {
                    if (service.Time.GetUtcNow() < due) ArmFor(due);
                    else _ = TickAsync(due);
                }, null, step, Timeout.InfiniteTimeSpan);
            }
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _disposed = true;
                _timer?.Dispose();
            }
        }

        private async Task TickAsync(DateTimeOffset due)
        {
            await service.FireAsync(Entry, due).ConfigureAwait(false);
            if (Entry.Period > TimeSpan.Zero) Arm(due);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the reminder table failed; keeping the reminders already scheduled")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reminder {ReminderName} of {GrainId} failed")]
    private static partial void LogFireFailed(ILogger logger, string reminderName, GrainId grainId, Exception exception);
}
