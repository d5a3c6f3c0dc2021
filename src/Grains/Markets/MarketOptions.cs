namespace FleaMarket.Grains.Markets;

/// <summary>Market settings (configuration section "Markets").</summary>
public sealed class MarketOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Markets";

    /// <summary>How long before <c>opensAt</c> a market activates its listings. Default 30 seconds.</summary>
    public TimeSpan WarmUpLead { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Period of the opening reminder: after warming up before the opening it fires again until the market is
    /// open, then removes itself. Default 1 minute (the reminder service's minimum).
    /// </summary>
    public TimeSpan ReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Throws naming the first invalid setting.</summary>
    public void Validate()
    {
        if (WarmUpLead < TimeSpan.Zero) throw new InvalidOperationException($"Markets:{nameof(WarmUpLead)} must not be negative.");
        if (ReminderPeriod <= TimeSpan.Zero) throw new InvalidOperationException($"Markets:{nameof(ReminderPeriod)} must be greater than zero.");
    }
}
