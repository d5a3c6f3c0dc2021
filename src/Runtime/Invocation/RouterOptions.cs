namespace FleaMarket.Runtime.Invocation;

/// <summary>How callers (silos and cluster clients) route and retry grain calls.</summary>
public sealed class RouterOptions
{
    /// <summary>
    /// Redirects followed per call when the target silo's view says another silo owns the grain. Default 2;
    /// past that the call fails with a retriable error (the cluster is still settling).
    /// </summary>
    public int MaxRedirects { get; set; } = 2;

    /// <summary>
    /// Resends of a call that provably did not run (silo unreachable before sending, grain still moving),
    /// each after refreshing the view. Default 5.
    /// </summary>
    public int MaxRetries { get; set; } = 5;

    /// <summary>Pause before the first resend, growing linearly with each one. Default 100 ms.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Throws naming the first invalid setting.</summary>
    public void Validate()
    {
        if (MaxRedirects < 0) throw new InvalidOperationException($"Router setting {nameof(MaxRedirects)} must not be negative.");
        if (MaxRetries < 0) throw new InvalidOperationException($"Router setting {nameof(MaxRetries)} must not be negative.");
        if (RetryBackoff < TimeSpan.Zero) throw new InvalidOperationException($"Router setting {nameof(RetryBackoff)} must not be negative.");
    }
}
