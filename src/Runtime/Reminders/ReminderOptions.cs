namespace FleaMarket.Runtime.Reminders;

/// <summary>Reminder service settings (configuration section "Reminders").</summary>
public sealed class ReminderOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Reminders";

    /// <summary>How often a silo re-reads the reminder table to pick up reminders it now owns. Default 1 minute.</summary>
    public TimeSpan RefreshPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Shortest allowed reminder period (reminders are durable and coarse; use timers for fine ticks). Default 1 minute.</summary>
    public TimeSpan MinimumPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Throws naming the first invalid setting.</summary>
    public void Validate()
    {
        if (RefreshPeriod <= TimeSpan.Zero) throw new InvalidOperationException($"Reminder setting {nameof(RefreshPeriod)} must be greater than zero.");
        if (MinimumPeriod < TimeSpan.Zero) throw new InvalidOperationException($"Reminder setting {nameof(MinimumPeriod)} must not be negative.");
    }
}
