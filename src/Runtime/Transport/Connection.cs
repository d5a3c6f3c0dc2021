using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;
using FleaMarket.Runtime.Messaging;
using Microsoft.Extensions.Logging;

namespace FleaMarket.Runtime.Transport;

/// <summary>
/// One symmetric TCP connection: either side sends requests and one-way messages, and answers the other's.
/// Senders only enqueue; a single write loop encodes whatever has queued up and flushes once per batch,
/// so many concurrent callers share one send syscall. A single read loop parses frames and routes them.
/// </summary>
internal sealed class Connection : IReplySink, IAsyncDisposable
{
    // Large pipe segments keep a batch to few socket writes (StreamPipeWriter writes segment by segment).
    private const int SegmentBytes = 64 * 1024;

    // A burst is flushed in slices of this size so a huge queue does not buffer unboundedly before the first send.
    private const int FlushThresholdBytes = 1024 * 1024;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly Channel<Outbound> _outbound =
        Channel.CreateUnbounded<Outbound>(new UnboundedChannelOptions { SingleReader = true });
    private readonly PendingRequestTable _pending;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly IMessageHandler _handler;
    private readonly MessagingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private Task _readLoop = Task.CompletedTask;
    private Task _writeLoop = Task.CompletedTask;
    private long _nextCorrelationId;
    private int _isClosed;

    /// <param name="socket">A connected socket; the connection owns it from here on.</param>
    /// <param name="peer">Names the other side in logs and exception messages (a silo address or remote endpoint).</param>
    /// <param name="handler">Receives the requests and one-way messages the peer sends.</param>
    /// <param name="options">Response timeout default, size limit.</param>
    /// <param name="time">Clock for response deadlines.</param>
    /// <param name="logger">Where connection events go.</param>
    public Connection(Socket socket, string peer, IMessageHandler handler, MessagingOptions options, TimeProvider time, ILogger logger)
    {
        socket.NoDelay = true;
        _socket = socket;
        Peer = peer;
        _handler = handler;
        _options = options;
        _time = time;
        _logger = logger;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: SegmentBytes, minimumReadSize: SegmentBytes / 4, leaveOpen: true));
        _output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(minimumBufferSize: SegmentBytes, leaveOpen: true));
        _pending = new PendingRequestTable(time, options.ResponseTimeout, peer);
    }

    /// <summary>The other side, as given at construction.</summary>
    public string Peer { get; }

    /// <summary>Completes (never faults) once the connection is closed for any reason.</summary>
    public Task Closed => _closed.Task;

    public bool IsClosed => Volatile.Read(ref _isClosed) != 0;

    /// <summary>Starts the read and write loops.</summary>
    public void Start()
    {
        _readLoop = Task.Run(ReadLoopAsync);
        _writeLoop = Task.Run(WriteLoopAsync);
    }

    /// <summary>
    /// Sends a request and waits for its response. The connection numbers the request itself; the message's own
    /// <see cref="Message.CorrelationId"/> is neither used nor changed. The message must not be mutated until sent.
    /// Fails with <see cref="GrainCallTimeoutException"/> after <paramref name="timeout"/>, and with
    /// <see cref="SiloUnavailableException"/> when the connection is closed (RequestSent false) or drops while waiting (true).
    /// </summary>
    public Task<Message> SendRequestAsync(Message request, TimeSpan timeout, CancellationToken ct)
    {
        if (timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "A response timeout must be positive or infinite.");
        }

        if (ct.IsCancellationRequested)
        {
            return Task.FromCanceled<Message>(ct);
        }

        if (IsClosed)
        {
            return Task.FromException<Message>(NotSent());
        }

        var id = Interlocked.Increment(ref _nextCorrelationId);
        var pending = _pending.Add(id, request, timeout == Timeout.InfiniteTimeSpan ? TimeSpan.MaxValue : timeout, ct);

        // Abort completes the channel before failing what is pending, so a request either fails here or is failed there.
        if (!_outbound.Writer.TryWrite(new Outbound(request, id)))
        {
            _pending.Fail(id, NotSent());
        }

        return pending.Task;
    }

    /// <summary>Queues a message that expects no answer; throws <see cref="SiloUnavailableException"/> if the connection is closed.</summary>
    public void SendOneWay(Message message)
    {
        if (!_outbound.Writer.TryWrite(new Outbound(message, message.CorrelationId)))
        {
            throw NotSent();
        }
    }

    /// <inheritdoc />
    public void Reply(Message response) => _outbound.Writer.TryWrite(new Outbound(response, response.CorrelationId));

    /// <summary>Closes at once: queued messages are dropped and every pending request fails with RequestSent true.</summary>
    public void Abort() => Close(error: null);

    /// <summary>Closes after flushing what is already queued (bounded by the connect timeout).</summary>
    public async ValueTask DisposeAsync()
    {
        _outbound.Writer.TryComplete();
        try
        {
            await _writeLoop.WaitAsync(_options.ConnectTimeout, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The peer stopped reading; give up on the rest.
        }

        Close(error: null);
        await Task.WhenAll(_readLoop, _writeLoop).ConfigureAwait(false);
    }

    private async Task ReadLoopAsync()
    {
        Exception? error = null;
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                try
                {
                    while (MessageCodec.TryRead(ref buffer, _options.MaxMessageBytes, out var message))
                    {
                        Dispatch(message);
                    }

                    if (result.IsCompleted || result.IsCanceled)
                    {
                        if (!buffer.IsEmpty)
                        {
                            throw new InvalidDataException($"{Peer} closed the connection in the middle of a frame.");
                        }

                        return;
                    }
                }
                finally
                {
                    _input.AdvanceTo(buffer.Start, buffer.End);
                }
            }
        }
        catch (Exception ex)
        {
            // Whatever ends a loop closes the connection; Close logs it.
            error = ex;
        }
        finally
        {
            Close(error);
            await _input.CompleteAsync().ConfigureAwait(false);
        }
    }

    private void Dispatch(Message message)
    {
        if (message.Kind == MessageKind.Response)
        {
            if (!_pending.TryComplete(message))
            {
                _logger.LateResponse(message.CorrelationId, Peer);
            }

            return;
        }

        try
        {
            _handler.OnMessage(message, this);
        }
        catch (Exception ex)
        {
            // A faulty handler must not take down the connection and everyone else's calls on it.
            _logger.HandlerFailed(ex, message.Kind, message.MethodId, message.Target, Peer);
        }
    }

    private async Task WriteLoopAsync()
    {
        Exception? error = null;
        var queue = _outbound.Reader;
        try
        {
            while (await queue.WaitToReadAsync().ConfigureAwait(false))
            {
                while (queue.TryRead(out var item))
                {
                    if (!MessageCodec.TryWrite(_output, item.Message, item.CorrelationId, _options.MaxMessageBytes))
                    {
                        RejectOversized(item);
                    }
                    else if (_output.UnflushedBytes >= FlushThresholdBytes)
                    {
                        await _output.FlushAsync().ConfigureAwait(false);
                    }
                }

                // One flush for everything that queued up while the previous flush was in flight.
                var flushed = await _output.FlushAsync().ConfigureAwait(false);
                if (flushed.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception ex)
        {
            // Whatever ends a loop closes the connection; Close logs it.
            error = ex;
        }
        finally
        {
            if (error is null)
            {
                ShutdownSend();
            }

            Close(error);
            try
            {
                await _output.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
            {
                // The socket is gone; nothing buffered can be delivered anyway.
            }
        }
    }

    /// <summary>After a graceful drain, a FIN behind the last frame tells the peer nothing more is coming.</summary>
    private void ShutdownSend()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already gone: the close below is all that is left to do.
        }
    }

    private void RejectOversized(Outbound item)
    {
        var frameBytes = MessageCodec.GetFrameLength(item.Message);
        if (item.Message.Kind == MessageKind.Request)
        {
            _pending.Fail(item.CorrelationId, new InvalidOperationException(
                $"A request of {frameBytes} bytes to {item.Message.Target} exceeds {MessagingOptions.SectionName}:{nameof(MessagingOptions.MaxMessageBytes)} ({_options.MaxMessageBytes})."));
        }
        else
        {
            _logger.OversizedMessageDropped(item.Message.Kind, frameBytes, Peer, _options.MaxMessageBytes);
        }
    }

    private void Close(Exception? error)
    {
        if (Interlocked.Exchange(ref _isClosed, 1) != 0)
        {
            return;
        }

        _outbound.Writer.TryComplete();
        _stream.Dispose();
        _socket.Dispose();
        var pendingCount = _pending.Count;
        _pending.FailAll(p => new SiloUnavailableException(
            $"The connection to {Peer} closed before method {p.MethodId} of {p.Target} was answered.", requestSent: true, error));
        _pending.Dispose();
        if (error is null or ObjectDisposedException)
        {
            _logger.ConnectionClosed(Peer, pendingCount);
        }
        else
        {
            _logger.ConnectionFailed(error, Peer, pendingCount);
        }

        _closed.TrySetResult();
    }

    private SiloUnavailableException NotSent() => new($"The connection to {Peer} is closed.", requestSent: false);

    private readonly record struct Outbound(Message Message, long CorrelationId);
}
