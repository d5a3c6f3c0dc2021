using System.Collections.Concurrent;
using Orleans.Reminders.Diagnostics;
using Orleans.Runtime;

namespace FleaMarket.TestKit.Orleans;

/// <summary>
/// The silos whose reminder service has finished loading its table, from Orleans' reminder diagnostics. A silo's
/// reminder service loads in the background after the silo starts; a reminder registered before that waits at most
/// 20 s and then fails (Orleans' "Reminder Service is still initializing", a 503 at the API). On a loaded machine the
/// first load can fail and is only retried after a randomised refresh delay, so a test cluster is ready for tests that
/// register reminders (a market's opening) only once every silo's service has started. Create it before the cluster
/// starts: the event is not repeated.
/// </summary>
public sealed class ReminderServicesStarted : IObserver<ReminderEvents.ReminderServiceEvent>, IDisposable
{
    private readonly ConcurrentDictionary<SiloAddress, bool> _started = new();
    private readonly IDisposable _subscription;

    public ReminderServicesStarted() => _subscription = ReminderEvents.ServiceEvents.Subscribe(this);

    /// <summary>Waits until the reminder service of every silo in <paramref name="silos"/> has started.</summary>
    public Task WaitForAsync(Func<IEnumerable<SiloAddress>> silos, TimeSpan timeout) =>
        Eventually.WaitUntilAsync(() => silos().All(_started.ContainsKey), "every silo's reminder service to load its table", timeout);

    public void OnNext(ReminderEvents.ReminderServiceEvent value)
    {
        if (value is ReminderEvents.ReminderServiceStarted { SiloAddress: { } silo }) _started[silo] = true;
    }

    public void OnError(Exception error)
    {
    }

    public void OnCompleted()
    {
    }

    public void Dispose() => _subscription.Dispose();
}
