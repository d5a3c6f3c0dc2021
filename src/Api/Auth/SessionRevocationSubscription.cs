using FleaMarket.Grains;

namespace FleaMarket.Api.Auth;

/// <summary>
/// Keeps this node's <see cref="SessionCache"/> registered with the cluster's <see cref="ISessionRevocationGrain"/>:
/// registers at start, renews well inside the registration's expiry (so a hub lost with its silo is re-populated
/// within one period), and unregisters when the node stops. While it is not registered the cache serves nothing.
/// </summary>
internal sealed partial class SessionRevocationSubscription(
    SessionCache cache, IGrainFactory grains, TimeProvider time, ILogger<SessionRevocationSubscription> logger) : BackgroundService
{
    /// <summary>How often the registration is renewed.</summary>
    public static readonly TimeSpan RenewPeriod = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan s_retryAfterFailure = TimeSpan.FromSeconds(1);
    private ISessionRevocationObserver? _reference;
    private long _registeredUntilTicks;

    /// <summary>Whether revocations reach this node now (its registration is confirmed and not yet due for renewal).</summary>
    public bool Registered => time.GetUtcNow().UtcTicks < Interlocked.Read(ref _registeredUntilTicks);

    private ISessionRevocationGrain Hub => grains.Reference<ISessionRevocationGrain>(ISessionRevocationGrain.ClusterKey);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!cache.Enabled) return;
        _reference = grains.CreateObjectReference<ISessionRevocationObserver>(cache);
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = RenewPeriod;
            try
            {
                await Hub.Subscribe(_reference).WaitAsync(stoppingToken);
                // Valid until the next renewal is due, plus the time that renewal may take.
                Interlocked.Exchange(ref _registeredUntilTicks, (time.GetUtcNow() + RenewPeriod + RenewPeriod).UtcTicks);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                // The cluster may be starting or the hub's silo failing: try again soon.
                LogRegistrationFailed(exception);
                wait = s_retryAfterFailure;
            }

            try
            {
                await Task.Delay(wait, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _registeredUntilTicks, 0);
        await base.StopAsync(cancellationToken);
        if (_reference is not { } reference) return;
        try
        {
            Hub.Unsubscribe(reference).Ignore();
            grains.DeleteObjectReference<ISessionRevocationObserver>(reference);
        }
        catch (Exception exception)
        {
            LogRegistrationFailed(exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not register the session cache for revocations; it serves nothing until registered.")]
    private partial void LogRegistrationFailed(Exception exception);
}
