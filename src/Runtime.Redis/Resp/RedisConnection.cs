using Microsoft.Extensions.Logging;

namespace FleaMarket.Runtime.Redis.Resp;

/// <summary>
/// A pipelined Redis client over one connection that heals itself: many commands in flight, replies
/// matched in order, writes batched. When the connection drops, commands in flight fail with
/// <see cref="RedisConnectionException"/> (retriable) and a background loop reconnects with backoff;
/// commands issued meanwhile wait for the new connection up to <see cref="RedisOptions.ConnectTimeout"/>.
/// </summary>
internal sealed partial class RedisConnection : IAsyncDisposable, IDisposable
{
    private readonly RedisOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _host;
    private readonly int _port;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _disposing = new();
    private readonly Task _reconnectLoop;
    private TaskCompletionSource<RedisSession> _ready = NewReady();
    private Exception? _lastConnectError;

    public RedisConnection(RedisOptions options, TimeProvider? time = null, ILogger<RedisConnection>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        RedisOptions.TryParseEndpoint(options.Endpoint, out _host, out _port);
        _reconnectLoop = Task.Run(ReconnectLoopAsync);
    }

    public string Endpoint => _options.Endpoint;

    /// <summary>Sends one command and returns its reply. Error replies throw <see cref="RedisServerException"/>.</summary>
    public Task<RedisReply> ExecuteAsync(params RedisValue[] arguments) => ExecuteAsync(arguments, CancellationToken.None);

    /// <inheritdoc cref="ExecuteAsync(RedisValue[])"/>
    public async Task<RedisReply> ExecuteAsync(RedisValue[] arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (arguments.Length == 0) throw new ArgumentException("A command needs at least its name.", nameof(arguments));
        var command = new PendingCommand(arguments);
        await EnqueueAsync(command, cancellationToken).ConfigureAwait(false);

        RedisReply reply;
        try
        {
            reply = await command.Reply.WaitAsync(_options.CommandTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            command.Abandon();
            throw new RedisTimeoutException(
                $"Redis at {Endpoint} did not answer {command.Name} within {_options.CommandTimeout}; it may or may not have run.");
        }
        catch (OperationCanceledException)
        {
            command.Abandon();
            throw;
        }

        return reply.Kind == RedisReplyKind.Error ? throw new RedisServerException(reply.AsString() ?? "") : reply;
    }

    /// <summary>Waits until connected (or the connect timeout passes); optional, commands wait on their own.</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken = default) =>
        await WaitForSessionAsync(_options.ConnectTimeout, cancellationToken).ConfigureAwait(false);

    /// <summary>For containers disposed synchronously; prefer <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        if (_disposing.IsCancellationRequested) return;
        await _disposing.CancelAsync().ConfigureAwait(false);

        // The loop owns the connection and closes it; commands still waiting for one learn why.
        await _reconnectLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        lock (_gate) _ready.TrySetException(new ObjectDisposedException(nameof(RedisConnection)));
        _disposing.Dispose();
    }

    private async Task EnqueueAsync(PendingCommand command, CancellationToken cancellationToken)
    {
        var start = _time.GetTimestamp();
        while (true)
        {
            var remaining = _options.ConnectTimeout - _time.GetElapsedTime(start);
            var session = await WaitForSessionAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);

            // False only while that connection is closing; by then the next wait is for its successor.
            if (session.TryEnqueue(command)) return;
        }
    }

    private async Task<RedisSession> WaitForSessionAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposing.IsCancellationRequested, this);
        TaskCompletionSource<RedisSession> ready;
        lock (_gate) ready = _ready;
        if (ready.Task.IsCompletedSuccessfully) return ready.Task.Result;
        try
        {
            return await ready.Task.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            var last = Volatile.Read(ref _lastConnectError);
            throw new RedisConnectionException(
                $"No connection to Redis at {Endpoint} within {_options.ConnectTimeout}; the client keeps reconnecting. Retry later."
                + (last is null ? "" : $" Last error: {last.Message}"),
                last);
        }
    }

    private static TaskCompletionSource<RedisSession> NewReady() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
