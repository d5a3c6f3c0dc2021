using Orleans.Runtime;

namespace FleaMarket.Persistence.Tests.Schema;

/// <summary>The name under which each test silo registers Orleans' ADO.NET grain storage.</summary>
public static class SchemaTestStorage
{
    public const string Name = "schema-test";
    public const string StateName = "counter";
}

[GenerateSerializer]
public sealed class CounterState
{
    [Id(0)]
    public int Value { get; set; }
}

/// <summary>What a counter activation holds; <see cref="Activation"/> tells activations apart.</summary>
[GenerateSerializer]
public sealed record CounterReading(int Value, string? ETag, bool RecordExists, Guid Activation);

public interface ICounterGrain : IGrainWithStringKey
{
    Task<CounterReading> AddAsync(int amount);

    Task<CounterReading> ReadAsync();

    Task ClearAsync();
}

public sealed class CounterGrain(
    [PersistentState(SchemaTestStorage.StateName, SchemaTestStorage.Name)] IPersistentState<CounterState> state)
    : Grain, ICounterGrain
{
    private readonly Guid _activation = Guid.NewGuid();

    public async Task<CounterReading> AddAsync(int amount)
    {
        state.State.Value += amount;
        await state.WriteStateAsync();
        return Reading();
    }

    public Task<CounterReading> ReadAsync() => Task.FromResult(Reading());

    public Task ClearAsync() => state.ClearStateAsync();

    private CounterReading Reading() => new(state.State.Value, state.Etag, state.RecordExists, _activation);
}

public interface IReminderProbeGrain : IGrainWithStringKey
{
    Task RegisterAsync(string name);

    Task<bool> HasAsync(string name);

    Task UnregisterAsync(string name);
}

/// <summary>Registers reminders due in an hour: the tests check the table, not the ticks.</summary>
public sealed class ReminderProbeGrain : Grain, IReminderProbeGrain, IRemindable
{
    public Task RegisterAsync(string name) =>
        this.RegisterOrUpdateReminder(name, TimeSpan.FromHours(1), TimeSpan.FromHours(1));

    public async Task<bool> HasAsync(string name) => await this.GetReminder(name) is not null;

    public async Task UnregisterAsync(string name)
    {
        var reminder = await this.GetReminder(name);
        if (reminder is not null)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;
}

public interface IPingGrain : IGrainWithStringKey
{
    Task<string> PingAsync();
}

public sealed class PingGrain : Grain, IPingGrain
{
    public Task<string> PingAsync() => Task.FromResult(this.GetPrimaryKeyString());
}
