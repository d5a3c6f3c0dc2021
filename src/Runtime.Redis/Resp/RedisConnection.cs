using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace FleaMarket.Runtime.Redis.Resp;

/// <summary>
/// A pipelined Redis client over one connection that heals itself. Commands go through one outbox in
/// the order they were issued, are written in batches and answered in that order. When the connection
/// drops, commands in flight fail with <see cref="RedisConnectionException"/> (retriable) and a
/// background loop reconnects with backoff; commands still in the outbox go out on the next connection,
/// or fail unsent once they waited <see cref="RedisOptions.ConnectTimeout"/> for it.
/// </summary>
internal sealed partial class RedisConnection : IAsyncDisposable, IDisposable
{
    private readonly RedisOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _host;
    private readonly int _port;
    private readonly Channel<PendingCommand> _outbox = Channel.CreateUnbounded<PendingCommand>();
    private readonly CancellationTokenSource _disposing = new();
    private readonly Task _reconnectLoop;
    private volatile bool _connected;
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

    /// <summary>Whether a connection is up as far as the client knows (a drop is noticed when its socket closes).</summary>
    public bool IsConnected => _connected;

    /// <summary>Sends one command and returns its reply. Error replies throw <see cref="RedisServerException"/>.</summary>
    public Task<RedisReply> ExecuteAsync(params RedisValue[] arguments) => ExecuteAsync(arguments, CancellationToken.None);

    /// <inheritdoc cref="ExecuteAsync(RedisValue[])"/>
    public async Task<RedisReply> ExecuteAsync(RedisValue[] arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (arguments.Length == 0) throw new ArgumentException("A command needs at least its name.", nameof(arguments));
        ObjectDisposedException.ThrowIf(_disposing.IsCancellationRequested, this);

        // Queued while disconnected: the wait for a connection and the wait for the reply are timed apart.
        var command = new PendingCommand(arguments, trackWritten: !_connected);
        if (!_outbox.Writer.TryWrite(command)) throw new ObjectDisposedException(nameof(RedisConnection));
        if (command.WrittenTask is { } written) await WaitUntilWrittenAsync(command, written, cancellationToken).ConfigureAwait(false);

        RedisReply reply;
        try
        {
            reply = await command.Reply.WaitAsync(_options.CommandTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) when (command.TryWithdraw())
        {
            throw NotConnected(_options.CommandTimeout);
        }
        catch (TimeoutException)
        {
            command.Abandon();
            throw new RedisTimeoutException(
                $"Redis at {Endpoint} did not answer {command.Name} within {_options.CommandTimeout}; it may or may not have run.");
        }
        catch (OperationCanceledException)
        {
            command.TryWithdraw();
            throw;
        }

        return reply.Kind == RedisReplyKind.Error ? throw new RedisServerException(reply.AsString() ?? "") : reply;
    }

    /// <summary>For containers disposed synchronously; prefer <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        if (_disposing.IsCancellationRequested) return;
        await _disposing.CancelAsync().ConfigureAwait(false);
        _outbox.Writer.TryComplete();

        // The loop owns the connection and closes it; then nothing reads the outbox any more.
        await _reconnectLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        while (_outbox.Reader.TryRead(out var unsent)) unsent.Fail(new ObjectDisposedException(nameof(RedisConnection)));
        _disposing.Dispose();
    }

    private async Task WaitUntilWrittenAsync(PendingCommand command, Task written, CancellationToken cancellationToken)
    {
        try
        {
            await written.WaitAsync(_options.ConnectTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) when (command.TryWithdraw())
        {
            throw NotConnected(_options.ConnectTimeout);
        }
        catch (TimeoutException)
        {
            // A connection took it at the last moment: wait for the reply as usual.
        }
        catch (OperationCanceledException)
        {
            command.TryWithdraw();
            throw;
        }
    }

    private RedisConnectionException NotConnected(TimeSpan waited)
    {
        var last = Volatile.Read(ref _lastConnectError);
        return new RedisConnectionException(
            $"No connection to Redis at {Endpoint} within {waited}; the command was not sent and the client keeps reconnecting. Retry later."
            + (last is null ? "" : $" Last error: {last.Message}"),
            last);
    }
}
