using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace FleaMarket.Api.Limits;

/// <summary>
/// Limits on wrong passwords (the framework's partitioned fixed-window limiters), counted only when a login
/// fails so that a stranger's guesses spend the stranger's allowance: per (username, address), per address, and
/// per username alone with a high, short limit. The username is in the body, so the handler asks here after
/// validation; the per-address limit on all attempts runs as the "login" rate-limiting policy.
/// </summary>
internal sealed class LoginFailureLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _perUsernameAndAddress;
    private readonly PartitionedRateLimiter<string> _perAddress;
    private readonly PartitionedRateLimiter<string> _perUsername;

    public LoginFailureLimiter(IOptions<LimitOptions> options)
    {
        var limits = options.Value;
        _perUsernameAndAddress = Create(limits.LoginFailuresPerUsernameAndAddress, limits.LoginFailureWindow);
        _perAddress = Create(limits.LoginFailuresPerAddress, limits.LoginFailureWindow);
        _perUsername = Create(limits.LoginFailuresPerUsername, limits.UsernameLockoutWindow);
    }

    /// <summary>How long this address must wait before trying this username again, or null when it may try now.</summary>
    public TimeSpan? Refusal(string username, string address)
    {
        TimeSpan? wait = null;
        foreach (var (limiter, key) in Partitions(username, address))
        {
            if (limiter.GetStatistics(key)?.CurrentAvailablePermits > 0) continue;
            // Asking for a permit that is not there takes nothing and says when the window reopens.
            using var lease = limiter.AttemptAcquire(key);
            if (lease.IsAcquired) continue;
            var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
            wait = wait is { } longest && longest > retryAfter ? longest : retryAfter;
        }

        return wait;
    }

    /// <summary>Counts one wrong password against every limit.</summary>
    public void RecordFailure(string username, string address)
    {
        foreach (var (limiter, key) in Partitions(username, address)) limiter.AttemptAcquire(key).Dispose();
    }

    public void Dispose()
    {
        _perUsernameAndAddress.Dispose();
        _perAddress.Dispose();
        _perUsername.Dispose();
    }

    private (PartitionedRateLimiter<string> Limiter, string Key)[] Partitions(string username, string address) =>
        [(_perUsernameAndAddress, $"{username}\n{address}"), (_perAddress, address), (_perUsername, username)];

    private static PartitionedRateLimiter<string> Create(int limit, TimeSpan window) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key, _ =>
            new FixedWindowRateLimiterOptions { PermitLimit = limit, Window = window, QueueLimit = 0 }));
}
