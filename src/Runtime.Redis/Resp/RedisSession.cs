using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;

namespace FleaMarket.Runtime.Redis.Resp;

/// <summary>
/// One TCP connection to Redis. A write loop sends the handshake (AUTH, SELECT), then drains the shared
/// outbox into the output pipe and flushes once per batch; a read loop parses replies and completes the
/// oldest command sent, since Redis answers in order. When either loop stops, every command taken from
/// the outbox fails; commands still in the outbox wait there for the next connection.
/// </summary>
internal sealed partial class RedisSession : IAsyncDisposable
{
    private const long FlushThreshold = 64 * 1024;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly string _endpoint;
    private readonly Channel<PendingCommand> _handshake = Channel.CreateUnbounded<PendingCommand>();
    private readonly ConcurrentQueue<PendingCommand> _awaitingReply = new();
    private readonly CancellationTokenSource _stop = new();
    private ChannelReader<PendingCommand> _outbox = Channel.CreateUnbounded<PendingCommand>().Reader;
    private volatile bool _outboxOpen;
    private Task _run = Task.CompletedTask;

    private RedisSession(Socket socket, string endpoint)
    {
        _socket = socket;
        _endpoint = endpoint;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
        _output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(leaveOpen: true));
    }

    /// <summary>Completes when the connection has closed and every command taken on it has failed or been answered.</summary>
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

    /// <summary>Starts the loops. Commands from <paramref name="outbox"/> flow only after <see cref="OpenOutbox"/>.</summary>
    public void Start(ChannelReader<PendingCommand> outbox)
    {
        _outbox = outbox;
        _run = RunAsync();
    }

    /// <summary>Runs a setup command before any outbox command; error replies throw <see cref="RedisServerException"/>.</summary>
    public async Task HandshakeAsync(RedisValue[] arguments, CancellationToken cancellationToken)
    {
        var command = new PendingCommand(arguments);
        if (!_handshake.Writer.TryWrite(command)) throw new RedisConnectionException($"The connection to Redis at {_endpoint} closed during the handshake.");
        var reply = await command.Reply.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (reply.Kind == RedisReplyKind.Error) throw new RedisServerException(reply.AsString() ?? "");
    }

    /// <summary>The handshake succeeded: start sending the callers' commands.</summary>
    public void OpenOutbox()
    {
        _outboxOpen = true;
        _handshake.Writer.TryComplete();
    }

    public async ValueTask DisposeAsync()
    {
        // Cancel before completing the handshake queue, so the write loop never moves on to the outbox.
        await _stop.CancelAsync().ConfigureAwait(false);
        _handshake.Writer.TryComplete();
        await _run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _socket.Dispose();
        _stop.Dispose();
    }
}
