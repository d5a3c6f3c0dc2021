using Microsoft.Extensions.Options;

namespace FleaMarket.Api.Operations;

/// <summary>
/// Sends a grain call again when its message or its answer was lost with a silo, so a buyer whose grains live on
/// surviving silos does not see a fault elsewhere. Used only for calls that are safe to repeat: a purchase (the
/// listing answers a repeated Idempotency-Key with the first order, even while that order is still being made
/// durable) and reading a session.
/// </summary>
/// <remarks>
/// Measured on the netns cluster (docs/reliability.md): the Orleans client sends every call for a grain through one
/// gateway silo (a bucket per grain id). When that gateway is killed or hangs, calls already sent through it never get
/// an answer, even when the grain lives on another silo: on a client, Orleans breaks pending calls only when they time
/// out (Cluster:ResponseTimeout). By then the client has dropped the gateway, so the repeat goes through a live one.
/// </remarks>
internal sealed partial class GrainCallRetry(IOptions<ApiOptions> options, TimeProvider time, ILogger<GrainCallRetry> logger)
{
    /// <summary>The pause before a repeat: enough for a closed gateway connection to be noticed, short next to a timeout.</summary>
    internal static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Marks when this node took a request. Every call a request runs through <see cref="RunAsync"/> (the session read
    /// that authenticates it, then its purchase) shares one Api:GrainCallBudget counted from here, so a request that
    /// waited for its session does not get a whole budget again for its purchase.
    /// </summary>
    public static void UseRequestBudget(IApplicationBuilder app)
    {
        var time = app.ApplicationServices.GetRequiredService<TimeProvider>();
        app.Use((context, next) =>
        {
            context.Features.Set(new RequestStarted(time.GetTimestamp()));
            return next(context);
        });
    }

    /// <summary>
    /// Runs <paramref name="call"/>; when it fails with a transport loss (<see cref="IsLostInTransport"/>) it runs it
    /// again, up to Api:GrainCallRetries times, while the request's Api:GrainCallBudget lasts. A call still running
    /// when the budget ends fails with <see cref="TimeoutException"/> (503 with Retry-After); any other failure is
    /// thrown as it is.
    /// </summary>
    public async Task<T> RunAsync<T>(string operation, Func<Task<T>> call, HttpContext request)
    {
        var settings = options.Value;
        var started = request.Features.Get<RequestStarted>()?.Timestamp ?? time.GetTimestamp();
        var aborted = request.RequestAborted;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                // Each attempt is bounded by the client's response timeout and by what is left of the request's budget.
                return await call().WaitAsync(Remaining(settings, started), time, aborted);
            }
            catch (Exception e) when (attempt < settings.GrainCallRetries && IsLostInTransport(e) && !aborted.IsCancellationRequested
                && Remaining(settings, started) > Pause)
            {
                LogRepeat(logger, operation, attempt + 1, time.GetElapsedTime(started).TotalMilliseconds, e.GetType().Name, e.Message);
                await Task.Delay(Pause, time, aborted);
            }
        }
    }

    /// <summary>
    /// Failures after which the call may not have reached its grain or its answer may not have come back: no answer
    /// in time, the target silo gone, the message rejected on its way. A refusal by the grain or a storage failure is
    /// not one of them: it is the answer. A cancellation is one when it is not the client's (the caller checks that):
    /// a silo whose directory lookup was cancelled by a membership change while it placed the call rejects the call
    /// with that cancellation as the reason (seen when a silo was killed), and the call never reached its grain.
    /// </summary>
    internal static bool IsLostInTransport(Exception exception) => exception switch
    {
        TimeoutException or SiloUnavailableException or OrleansMessageRejectionException or OperationCanceledException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsLostInTransport),
        _ => false,
    };

    private TimeSpan Remaining(ApiOptions settings, long started)
    {
        var left = settings.GrainCallBudget - time.GetElapsedTime(started);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    /// <summary>When this node took the request (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    private sealed record RequestStarted(long Timestamp);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Operation}: repeat {Attempt} after {ElapsedMs:F0} ms, the call was lost in transport ({Error}: {Detail})")]
    private static partial void LogRepeat(ILogger logger, string operation, int attempt, double elapsedMs, string error, string detail);
}
