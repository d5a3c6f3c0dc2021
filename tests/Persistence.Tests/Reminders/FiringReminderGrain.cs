using System.Collections.Concurrent;
using System.Net.Sockets;
using Npgsql;
using Orleans.Runtime;

namespace FleaMarket.Persistence.Tests.Reminders;

/// <summary>A grain for the cluster tests: counts the ticks of its reminder, and throws the storage error on demand.</summary>
public interface IFiringReminderGrain : IGrainWithStringKey
{
    Task StartTicking(TimeSpan period);

    Task FailWithStorageUnavailable(string message);
}

public sealed class FiringReminderGrain : Grain, IFiringReminderGrain, IRemindable
{
    /// <summary>Ticks received per grain key, across activations and silos of this process.</summary>
    public static ConcurrentDictionary<string, int> Ticks { get; } = new();

    public Task StartTicking(TimeSpan period) => this.RegisterOrUpdateReminder("tick", period, period);

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        Ticks.AddOrUpdate(this.GetPrimaryKeyString(), 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }

    public Task FailWithStorageUnavailable(string message) =>
        throw new StorageUnavailableException(message, new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused)));
}
