using System.Collections.Concurrent;
using FleaMarket.Runtime;
using FleaMarket.Runtime.Hosting;
using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.Reminders;

namespace FleaMarket.Runtime.Tests.Grains;

public interface IReminderTestGrain : IGrainWithStringKey, IRemindable
{
    Task Schedule(TimeSpan dueTime, TimeSpan period);
    Task Cancel();
}

public sealed class ReminderTestGrain(Silo silo) : Grain, IReminderTestGrain
{
    /// <summary>Every tick received: grain key, due time, and the silo that fired it.</summary>
    public static ConcurrentQueue<(string Key, DateTimeOffset Due, SiloAddress Silo)> Ticks { get; } = new();

    public Task Schedule(TimeSpan dueTime, TimeSpan period) => RegisterOrUpdateReminder("tick", dueTime, period);

    public Task Cancel() => UnregisterReminder("tick");

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        Ticks.Enqueue((this.GetPrimaryKeyString(), status.CurrentTickTime, silo.Address));
        return Task.CompletedTask;
    }
}
