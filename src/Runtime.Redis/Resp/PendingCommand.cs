namespace FleaMarket.Runtime.Redis.Resp;

/// <summary>A command on its way to the server and the caller waiting for its reply.</summary>
internal sealed class PendingCommand
{
    private const int Queued = 0;
    private const int Written = 1;
    private const int Withdrawn = 2;

    private readonly TaskCompletionSource<RedisReply> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource? _written;
    private int _state;
    private volatile bool _abandoned;

    /// <param name="arguments">The command name and its arguments.</param>
    /// <param name="trackWritten">Whether the caller waits for the write separately (it queued while disconnected).</param>
    public PendingCommand(RedisValue[] arguments, bool trackWritten = false)
    {
        Arguments = arguments;
        if (trackWritten) _written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public RedisValue[] Arguments { get; }

    public Task<RedisReply> Reply => _reply.Task;

    /// <summary>Completes when the command is handed to a connection; null unless tracked.</summary>
    public Task? WrittenTask => _written?.Task;

    public string Name => Arguments.Length == 0 ? "(empty)" : Arguments[0].ToString();

    /// <summary>Claims the command for writing; false if the caller withdrew it first.</summary>
    public bool TryMarkWritten()
    {
        if (Interlocked.CompareExchange(ref _state, Written, Queued) != Queued) return false;
        _written?.TrySetResult();
        return true;
    }

    /// <summary>
    /// Withdraws a command no connection has taken yet, so it is never sent; false if one already has.
    /// One atomic step with <see cref="TryMarkWritten"/>: "not sent" is then a promise, not a guess.
    /// </summary>
    public bool TryWithdraw()
    {
        _abandoned = true;
        return Interlocked.CompareExchange(ref _state, Withdrawn, Queued) == Queued;
    }

    /// <summary>The caller stopped waiting for a sent command; its reply still arrives and is matched in order.</summary>
    public void Abandon() => _abandoned = true;

    public bool IsAbandoned => _abandoned;

    public void Complete(RedisReply reply) => _reply.TrySetResult(reply);

    public void Fail(Exception exception)
    {
        // Nobody observes the task of an abandoned command; a faulted, unobserved task is only noise.
        if (_abandoned) _reply.TrySetCanceled();
        else _reply.TrySetException(exception);
    }
}
