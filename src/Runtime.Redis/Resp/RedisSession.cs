using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;

namespace FleaMarket.Runtime.Redis.Resp;

/// <summary>
/// One TCP connection to Redis. A write loop drains queued commands into the output pipe and flushes
/// once per batch; a read loop parses replies and completes the oldest command waiting, since Redis
/// answers in the order it received. When either loop stops, every command queued or sent fails.
/// </summary>
internal sealed class RedisSession : IAsyncDisposable
{
    private const long FlushThreshold = 64 * 1024;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly string _endpoint;
    private readonly Channel<PendingCommand> _queue = Channel.CreateUnbounded<PendingCommand>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentQueue<PendingCommand> _awaitingReply = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;

    private RedisSession(Socket socket, string endpoint)
    {
        _socket = socket;
        _endpoint = endpoint;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
        _output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(leaveOpen: true));
    }

    /// <summary>Completes when the connection has closed and every command on it has failed or been answered.</summary>
    public Task Completion => _run;

    /// <summary>Why the connection closed; null while it is open.</summary>
    public Exception? CloseReason { get; private set; }

    /// <summary>How many commands failed because the connection closed under them.</summary>
    public int FailedInFlight { get; private set; }

    public static async Task<RedisSession> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
            return new RedisSession(socket, $"{host}:{port}");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Starts the loops; <paramref name="onClosing"/> runs before queued commands fail, so new ones can go elsewhere.</summary>
    public void Start(Action<RedisSession> onClosing) => _run = RunAsync(onClosing);

    /// <summary>Queues a command; false once the connection is closing.</summary>
    public bool TryEnqueue(PendingCommand command) => _queue.Writer.TryWrite(command);

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        await _run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _socket.Dispose();
        _stop.Dispose();
    }

    private async Task RunAsync(Action<RedisSession> onClosing)
    {
        await Task.Yield();
        var writing = WriteLoopAsync();
        var reading = ReadLoopAsync();
        var first = await Task.WhenAny(writing, reading).ConfigureAwait(false);
        CloseReason = first.Exception?.GetBaseException() ?? new RedisConnectionException($"The connection to Redis at {_endpoint} was closed.");
        onClosing(this);

        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await Task.WhenAll(writing, reading).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _input.CompleteAsync().ConfigureAwait(false);
        await _output.CompleteAsync().ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);

        var failure = new RedisConnectionException(
            $"The connection to Redis at {_endpoint} closed while the command was in flight; it may or may not have run. Retry it. ({CloseReason.Message})",
            CloseReason);
        while (_awaitingReply.TryDequeue(out var sent)) Fail(sent, failure);
        while (_queue.Reader.TryRead(out var queued)) Fail(queued, failure);
    }

    private void Fail(PendingCommand command, Exception failure)
    {
        if (!command.IsAbandoned) FailedInFlight++;
        command.Fail(failure);
    }

    private async Task WriteLoopAsync()
    {
        var queue = _queue.Reader;
        while (await queue.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
        {
            while (queue.TryRead(out var command))
            {
                if (command.IsAbandoned)
                {
                    command.Fail(new OperationCanceledException());
                    continue;
                }

                // Queued before its bytes leave, so the reply can never arrive ahead of its command.
                _awaitingReply.Enqueue(command);
                RespWriter.WriteCommand(_output, command.Arguments);
                if (_output.UnflushedBytes >= FlushThreshold) await FlushAsync().ConfigureAwait(false);
            }

            await FlushAsync().ConfigureAwait(false);
        }
    }

    private async Task FlushAsync()
    {
        var result = await _output.FlushAsync(_stop.Token).ConfigureAwait(false);
        if (result.IsCompleted) throw new RedisConnectionException($"The connection to Redis at {_endpoint} was closed.");
    }

    private async Task ReadLoopAsync()
    {
        while (true)
        {
            var result = await _input.ReadAsync(_stop.Token).ConfigureAwait(false);
            var buffer = result.Buffer;
            var consumed = ParseReplies(buffer);
            _input.AdvanceTo(consumed, buffer.End);
            if (result.IsCompleted) throw new RedisConnectionException($"Redis at {_endpoint} closed the connection.");
        }
    }

    private SequencePosition ParseReplies(ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        var consumed = buffer.Start;
        while (RespParser.TryRead(ref reader, out var reply))
        {
            consumed = reader.Position;
            if (!_awaitingReply.TryDequeue(out var command))
            {
                throw new RedisConnectionException($"Redis protocol error: a reply from {_endpoint} arrived with no command waiting for it.");
            }

            command.Complete(reply);
        }

        return consumed;
    }
}
