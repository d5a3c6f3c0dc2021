using System.Collections.Concurrent;
using FleaMarket.Runtime;
using FleaMarket.Runtime.Hosting;
using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.Persistence;
using FleaMarket.Runtime.Reminders;

namespace FleaMarket.Cluster.Tests.Grains;

/// <summary>A grain with a durable reminder; every tick is counted in its persistent state, then recorded.</summary>
public interface IDurableReminderGrain : IGrainWithStringKey, IRemindable
{
    Task Schedule(TimeSpan dueTime, TimeSpan period);
    Task Cancel();
    Task<int> GetStoredTicks();
}

/// <summary>A counter whose every increment is written before it is acknowledged.</summary>
public interface IStoredValueGrain : IGrainWithStringKey
{
    Task<int> Increment();
    [ReadOnly]
    Task<int> Get();
    Task Deactivate();
    [ReadOnly]
    Task<string> WhereAmI();
}

public sealed class TickState
{
    public int Count { get; set; }
}

public sealed class ValueState
{
    public int Value { get; set; }
}

/// <summary>One reminder tick as the grain saw it.</summary>
public sealed record Tick(string Key, DateTimeOffset Due, SiloAddress Silo);

public sealed class DurableReminderGrain(Silo silo, [PersistentState("ticks")] IPersistentState<TickState> ticks) : Grain, IDurableReminderGrain
{
    /// <summary>Every tick received, in every test of the process; tests filter by their own fresh key.</summary>
    public static ConcurrentQueue<Tick> Ticks { get; } = new();

    public Task Schedule(TimeSpan dueTime, TimeSpan period) => RegisterOrUpdateReminder("tick", dueTime, period);

    public Task Cancel() => UnregisterReminder("tick");

    public Task<int> GetStoredTicks() => Task.FromResult(ticks.State.Count);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        ticks.State.Count++;
        await ticks.WriteStateAsync();
        Ticks.Enqueue(new Tick(this.GetPrimaryKeyString(), status.CurrentTickTime, silo.Address));
    }
}

public sealed class StoredValueGrain(Silo silo, [PersistentState("value")] IPersistentState<ValueState> value) : Grain, IStoredValueGrain
{
    public async Task<int> Increment()
    {
        value.State.Value++;
        try
        {
            await value.WriteStateAsync();
        }
        catch
        {
            // Not durable, so not acknowledged: the next increment must not count this one.
            value.State.Value--;
            throw;
        }

        return value.State.Value;
    }

    public Task<int> Get() => Task.FromResult(value.State.Value);

    public Task Deactivate()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public Task<string> WhereAmI() => Task.FromResult(silo.Address.ToString());
}
