using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace FleaMarket.Api.Users;

/// <summary>
/// Per-username login limit (the framework's partitioned fixed-window limiter): the username is in the body,
/// so this limit is checked in the handler after validation; the per-address limit runs as middleware.
/// </summary>
internal sealed class LoginRateLimiter(IOptions<ApiOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(username =>
        RateLimitPartition.GetFixedWindowLimiter(username, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.Value.LoginsPerUsername,
            Window = options.Value.LoginWindow,
            QueueLimit = 0,
        }));

    public bool TryAcquire(string username)
    {
        using var lease = _limiter.AttemptAcquire(username);
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
