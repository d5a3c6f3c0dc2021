using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace FleaMarket.Runtime.Transport;

/// <summary>
/// Accepts TCP connections for a silo; each accepted socket becomes a <see cref="Connection"/> whose inbound
/// requests go to the silo's handler. Disposing closes the listening socket and aborts every accepted
/// connection, which is also how a test simulates an abrupt silo kill.
/// </summary>
internal sealed class SiloListener : IAsyncDisposable
{
    private readonly IPEndPoint _requested;
    private readonly IMessageHandler _handler;
    private readonly MessagingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<Connection, byte> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private Socket? _socket;
    private Task _acceptLoop = Task.CompletedTask;
    private int _disposed;

    /// <param name="endPoint">Where to listen; port 0 picks a free port, see <see cref="LocalEndPoint"/>.</param>
    /// <param name="handler">Receives the requests and one-way messages of every accepted connection.</param>
    /// <param name="options">Transport settings.</param>
    /// <param name="time">Clock for response deadlines of requests sent back over accepted connections.</param>
    /// <param name="loggers">Creates the listener's and the connections' loggers.</param>
    public SiloListener(IPEndPoint endPoint, IMessageHandler handler, MessagingOptions options, TimeProvider time, ILoggerFactory loggers)
    {
        _requested = endPoint;
        _handler = handler;
        _options = options;
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger<SiloListener>();
    }

    /// <summary>The endpoint actually bound (with the real port when port 0 was asked for); set by <see cref="Start"/>.</summary>
    public IPEndPoint LocalEndPoint =>
        (IPEndPoint)(_socket ?? throw new InvalidOperationException("The listener has not been started.")).LocalEndPoint!;

    /// <summary>How many accepted connections are open.</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>Binds, listens and starts accepting. Throws <see cref="SocketException"/> if the endpoint is taken.</summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var socket = new Socket(_requested.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(_requested);
            socket.Listen(_options.ListenBacklog);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _socket = socket;
        _logger.ListenerStarted(LocalEndPoint);
        _acceptLoop = Task.Run(() => AcceptLoopAsync(socket));
    }

    /// <summary>Stops accepting and aborts every accepted connection; the peers' pending calls fail at once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _socket?.Dispose();
        foreach (var (connection, _) in _connections)
        {
            connection.Abort();
        }

        await _acceptLoop.ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        var endPoint = LocalEndPoint;
        while (!_stopping.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException || _stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
            {
                // The client gave up before we accepted it; the listener itself is fine.
                continue;
            }
            catch (SocketException ex)
            {
                _logger.AcceptFailed(ex, endPoint);
                return;
            }

            var peer = accepted.RemoteEndPoint?.ToString() ?? "unknown peer";
            var connection = new Connection(accepted, peer, _handler, _options, _time, _loggers.CreateLogger<Connection>());
            _connections.TryAdd(connection, 0);
            _ = ForgetWhenClosedAsync(connection);
            connection.Start();
            _logger.ConnectionOpened(peer, "inbound");

            // Dispose may have swept the set just before this connection joined it.
            if (_stopping.IsCancellationRequested)
            {
                connection.Abort();
            }
        }
    }

    private async Task ForgetWhenClosedAsync(Connection connection)
    {
        await connection.Closed.ConfigureAwait(false);
        _connections.TryRemove(connection, out _);
    }
}
