namespace FleaMarket.Runtime.Reminders;

/// <summary>Implemented by grains that register durable reminders.</summary>
public interface IRemindable : IGrain
{
    /// <summary>Called when the reminder <paramref name="reminderName"/> is due; activates the grain if needed.</summary>
    Task ReceiveReminder(string reminderName, TickStatus status);
}

/// <summary>A reminder tick: when the reminder first fired, its period, and the due time of this tick.</summary>
public readonly record struct TickStatus(DateTimeOffset FirstTickTime, TimeSpan Period, DateTimeOffset CurrentTickTime);

/// <summary>Registers and removes reminders on behalf of grains.</summary>
internal interface IReminderRegistry
{
    Task RegisterOrUpdateAsync(GrainId grainId, string reminderName, TimeSpan dueTime, TimeSpan period);

    Task UnregisterAsync(GrainId grainId, string reminderName);
}
