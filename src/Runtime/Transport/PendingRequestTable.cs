using System.Collections.Concurrent;
using FleaMarket.Runtime.Messaging;

namespace FleaMarket.Runtime.Transport;

/// <summary>
/// The requests of one connection that still wait for a response. Deadlines are timestamps checked by one
/// periodic sweep instead of a timer per request: at 100k calls/s a timer each would cost more than the call.
/// A timeout therefore fires up to one sweep interval (a tenth of the shortest timeout seen, 10 ms..1 s) late.
/// </summary>
internal sealed class PendingRequestTable : IDisposable
{
    private static readonly TimeSpan MinSweepInterval = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaxSweepInterval = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<long, PendingRequest> _pending = new();
    private readonly TimeProvider _time;
    private readonly string _peer;
    private readonly Lock _timerGate = new();
    private readonly ITimer _sweepTimer;
    private TimeSpan _shortestTimeout;

    public PendingRequestTable(TimeProvider time, TimeSpan defaultTimeout, string peer)
    {
        _time = time;
        _peer = peer;
        _shortestTimeout = defaultTimeout;
        var interval = SweepInterval(defaultTimeout);
        _sweepTimer = time.CreateTimer(static state => ((PendingRequestTable)state!).Sweep(), this, interval, interval);
    }

    public int Count => _pending.Count;

    /// <summary>Registers request <paramref name="id"/>; the returned task completes with its response, timeout or cancellation.</summary>
    public PendingRequest Add(long id, Message request, TimeSpan timeout, CancellationToken ct)
    {
        var pending = new PendingRequest(this, id, request.Target, request.MethodId, timeout, _time.GetTimestamp());
        _pending[id] = pending;
        if (timeout < _shortestTimeout)
        {
            ShortenSweepInterval(timeout);
        }

        if (ct.CanBeCanceled)
        {
            pending.Registration = ct.UnsafeRegister(static (state, token) =>
            {
                var p = (PendingRequest)state!;
                if (p.Table._pending.TryRemove(p.Id, out _))
                {
                    p.TrySetCanceled(token);
                }
            }, pending);

            // A response that raced ahead of the registration could not dispose it.
            if (pending.Task.IsCompleted)
            {
                pending.Registration.Dispose();
            }
        }

        return pending;
    }

    /// <summary>Hands a response to its waiting request; false when nobody waits any more (it timed out).</summary>
    public bool TryComplete(Message response)
    {
        if (!_pending.TryRemove(response.CorrelationId, out var pending))
        {
            return false;
        }

        pending.TrySetResult(response);
        pending.Registration.Dispose();
        return true;
    }

    /// <summary>Fails request <paramref name="id"/> if it still waits.</summary>
    public void Fail(long id, Exception error)
    {
        if (_pending.TryRemove(id, out var pending))
        {
            pending.TrySetException(error);
            pending.Registration.Dispose();
        }
    }

    /// <summary>Fails every waiting request; each gets its own exception so concurrent awaiters do not share a stack trace.</summary>
    public void FailAll(Func<PendingRequest, Exception> error)
    {
        foreach (var (id, _) in _pending)
        {
            if (_pending.TryRemove(id, out var pending))
            {
                pending.TrySetException(error(pending));
                pending.Registration.Dispose();
            }
        }
    }

    public void Dispose() => _sweepTimer.Dispose();

    private void Sweep()
    {
        if (_pending.IsEmpty)
        {
            return;
        }

        var now = _time.GetTimestamp();
        foreach (var (id, pending) in _pending)
        {
            if (_time.GetElapsedTime(pending.StartedAt, now) >= pending.Timeout)
            {
                Fail(id, new GrainCallTimeoutException(
                    $"No response from {_peer} to method {pending.MethodId} of {pending.Target} within {pending.Timeout}."));
            }
        }
    }

    private void ShortenSweepInterval(TimeSpan timeout)
    {
        lock (_timerGate)
        {
            if (timeout >= _shortestTimeout)
            {
                return;
            }

            _shortestTimeout = timeout;
            var interval = SweepInterval(timeout);
            _sweepTimer.Change(interval, interval);
        }
    }

    private static TimeSpan SweepInterval(TimeSpan timeout) =>
        TimeSpan.FromTicks(Math.Clamp(timeout.Ticks / 10, MinSweepInterval.Ticks, MaxSweepInterval.Ticks));
}

/// <summary>One request waiting for its response; being the completion source itself saves an allocation per call.</summary>
internal sealed class PendingRequest(PendingRequestTable table, long id, GrainId target, int methodId, TimeSpan timeout, long startedAt)
    : TaskCompletionSource<Message>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    public PendingRequestTable Table { get; } = table;
    public long Id { get; } = id;
    public GrainId Target { get; } = target;
    public int MethodId { get; } = methodId;
    public TimeSpan Timeout { get; } = timeout;
    public long StartedAt { get; } = startedAt;
    public CancellationTokenRegistration Registration { get; set; }
}
