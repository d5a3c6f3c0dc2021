namespace FleaMarket.Runtime.Client;

/// <summary>Cluster client settings (configuration section "Client").</summary>
public sealed class ClusterClientOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Client";

    /// <summary>How often the client re-reads the membership table (redirects also move it on). Default 5 seconds.</summary>
    public TimeSpan ViewRefreshPeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long <c>ConnectAsync</c> waits for at least one Active silo. Default 30 seconds.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws naming the first invalid setting.</summary>
    public void Validate()
    {
        if (ViewRefreshPeriod <= TimeSpan.Zero) throw new InvalidOperationException($"Client setting {nameof(ViewRefreshPeriod)} must be greater than zero.");
        if (ConnectTimeout <= TimeSpan.Zero) throw new InvalidOperationException($"Client setting {nameof(ConnectTimeout)} must be greater than zero.");
    }
}
