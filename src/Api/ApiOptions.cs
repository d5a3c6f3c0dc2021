namespace FleaMarket.Api;

/// <summary>API settings (configuration section "Api").</summary>
public sealed class ApiOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Api";

    /// <summary>Sliding session lifetime. Default 24 hours.</summary>
    public TimeSpan SessionExpiry { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Largest accepted request body, in bytes; larger bodies get 413. Default 64 KiB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Logins (POST /api/sessions) allowed per client address per <see cref="LoginWindow"/>. Default 300.</summary>
    public int LoginsPerAddress { get; set; } = 300;

    /// <summary>Logins allowed per username per <see cref="LoginWindow"/>, against password guessing. Default 10.</summary>
    public int LoginsPerUsername { get; set; } = 10;

    /// <summary>Window of the login rate limits. Default 1 minute.</summary>
    public TimeSpan LoginWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Throws naming the first invalid setting.</summary>
    public void Validate()
    {
        if (SessionExpiry <= TimeSpan.Zero) throw new InvalidOperationException($"Api:{nameof(SessionExpiry)} must be greater than zero.");
        if (MaxRequestBodyBytes <= 0) throw new InvalidOperationException($"Api:{nameof(MaxRequestBodyBytes)} must be greater than zero.");
        if (LoginsPerAddress <= 0) throw new InvalidOperationException($"Api:{nameof(LoginsPerAddress)} must be greater than zero.");
        if (LoginsPerUsername <= 0) throw new InvalidOperationException($"Api:{nameof(LoginsPerUsername)} must be greater than zero.");
        if (LoginWindow <= TimeSpan.Zero) throw new InvalidOperationException($"Api:{nameof(LoginWindow)} must be greater than zero.");
    }
}
