namespace FleaMarket.Baseline.Hosting;

/// <summary>Baseline settings, read from the configuration root (environment variables, command line, appsettings).</summary>
public sealed class BaselineOptions
{
    /// <summary>Npgsql connection string of the database holding every table. Required; no default.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Sliding session lifetime. Default 24 hours, as in FleaMarket.</summary>
    public TimeSpan SessionExpiry { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Throws naming the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString)) throw new InvalidOperationException("ConnectionString is required (an Npgsql connection string).");
        if (SessionExpiry <= TimeSpan.Zero) throw new InvalidOperationException("SessionExpiry must be greater than zero.");
    }
}
