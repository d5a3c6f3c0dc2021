namespace FleaMarket.Runtime.Redis.Resp;

/// <summary>A command on its way to the server and the caller waiting for its reply.</summary>
internal sealed class PendingCommand(RedisValue[] arguments)
{
    private readonly TaskCompletionSource<RedisReply> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _abandoned;

    public RedisValue[] Arguments { get; } = arguments;

    public Task<RedisReply> Reply => _reply.Task;

    /// <summary>
    /// The caller stopped waiting (timeout or cancellation). A command not yet written is then dropped;
    /// one already written stays queued, because its reply still arrives and must be matched in order.
    /// </summary>
    public bool IsAbandoned => _abandoned;

    public string Name => Arguments.Length == 0 ? "(empty)" : Arguments[0].ToString();

    public void Abandon() => _abandoned = true;

    public void Complete(RedisReply reply) => _reply.TrySetResult(reply);

    public void Fail(Exception exception)
    {
        // Nobody observes the task of an abandoned command; a faulted, unobserved task is only noise.
        if (_abandoned) _reply.TrySetCanceled();
        else _reply.TrySetException(exception);
    }
}
