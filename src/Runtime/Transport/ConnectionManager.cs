using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Net.Sockets;
using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.Messaging;
using Microsoft.Extensions.Logging;

namespace FleaMarket.Runtime.Transport;

/// <summary>
/// Outbound connections to silos: at most one live connection per silo address (endpoint and generation),
/// opened on first use, with concurrent first callers sharing one connect attempt. A failed attempt is not
/// remembered, so the next call tries again; deciding that a silo is dead is membership's job.
/// </summary>
internal sealed class ConnectionManager : IAsyncDisposable
{
    private readonly ConcurrentDictionary<SiloAddress, Task<Connection>> _connections = new();
    private readonly CancellationTokenSource _disposing = new();
    private readonly IMessageHandler _handler;
    private readonly MessagingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private int _disposed;

    /// <param name="handler">Receives requests the remote side sends back over these connections.</param>
    /// <param name="options">Transport settings (response and connect timeouts, size limit).</param>
    /// <param name="time">Clock for response and connect deadlines.</param>
    /// <param name="loggers">Creates the manager's and the connections' loggers.</param>
    public ConnectionManager(IMessageHandler handler, MessagingOptions options, TimeProvider time, ILoggerFactory loggers)
    {
        _handler = handler;
        _options = options;
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger<ConnectionManager>();
    }

    /// <summary>Sends a request to <paramref name="target"/> and waits up to the configured response timeout.</summary>
    public Task<Message> SendRequestAsync(SiloAddress target, Message request, CancellationToken ct = default) =>
        SendRequestAsync(target, request, _options.ResponseTimeout, ct);

    /// <summary>
    /// Sends a request to <paramref name="target"/> and waits up to <paramref name="timeout"/> (probes use a short one).
    /// Fails with <see cref="SiloUnavailableException"/> (RequestSent false) when the silo cannot be reached, and as
    /// <see cref="Connection.SendRequestAsync"/> describes once sent.
    /// </summary>
    public Task<Message> SendRequestAsync(SiloAddress target, Message request, TimeSpan timeout, CancellationToken ct) =>
        TryGetOpen(target, out var connection)
            ? connection.SendRequestAsync(request, timeout, ct)
            : ConnectThenSendAsync(target, request, timeout, ct);

    /// <summary>Sends a message that expects no answer. Best effort: a failure is logged, never thrown.</summary>
    public void SendOneWay(SiloAddress target, Message message)
    {
        if (TryGetOpen(target, out var connection))
        {
            try
            {
                connection.SendOneWay(message);
            }
            catch (SiloUnavailableException ex)
            {
                _logger.OneWayFailed(ex, message.MethodId, message.Target, target);
            }

            return;
        }

        _ = ConnectThenSendOneWayAsync(target, message);
    }

    /// <summary>Aborts the connection to <paramref name="target"/>, if any (the silo was declared dead); its pending calls fail.</summary>
    public void CloseConnection(SiloAddress target)
    {
        if (_connections.TryRemove(target, out var attempt) && attempt.IsCompletedSuccessfully)
        {
            attempt.Result.Abort();
        }
    }

    /// <summary>Closes every connection after flushing what is queued on it; pending calls fail as unavailable.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Cancels connect attempts in flight; they abort what they open from here on.
        await _disposing.CancelAsync().ConfigureAwait(false);
        var closing = new List<Task>();
        foreach (var (target, attempt) in _connections)
        {
            if (_connections.TryRemove(target, out _) && attempt.IsCompletedSuccessfully)
            {
                closing.Add(attempt.Result.DisposeAsync().AsTask());
            }
        }

        await Task.WhenAll(closing).ConfigureAwait(false);
    }

    private bool TryGetOpen(SiloAddress target, [NotNullWhen(true)] out Connection? connection)
    {
        if (_connections.TryGetValue(target, out var attempt) && attempt.IsCompletedSuccessfully && !attempt.Result.IsClosed)
        {
            connection = attempt.Result;
            return true;
        }

        connection = null;
        return false;
    }

    private async Task<Message> ConnectThenSendAsync(SiloAddress target, Message request, TimeSpan timeout, CancellationToken ct)
    {
        var connection = await GetConnectionAsync(target).WaitAsync(ct).ConfigureAwait(false);
        return await connection.SendRequestAsync(request, timeout, ct).ConfigureAwait(false);
    }

    private async Task ConnectThenSendOneWayAsync(SiloAddress target, Message message)
    {
        try
        {
            var connection = await GetConnectionAsync(target).ConfigureAwait(false);
            connection.SendOneWay(message);
        }
        catch (Exception ex) when (ex is SiloUnavailableException or ObjectDisposedException)
        {
            _logger.OneWayFailed(ex, message.MethodId, message.Target, target);
        }
    }

    private Task<Connection> GetConnectionAsync(SiloAddress target)
    {
        while (true)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            if (_connections.TryGetValue(target, out var existing))
            {
                if (!existing.IsCompleted || (existing.IsCompletedSuccessfully && !existing.Result.IsClosed))
                {
                    return existing;
                }

                // A closed connection or a failed attempt is replaced, unless another caller already did.
                _connections.TryRemove(KeyValuePair.Create(target, existing));
                continue;
            }

            var attempt = new TaskCompletionSource<Connection>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_connections.TryAdd(target, attempt.Task))
            {
                _ = ConnectAsync(target, attempt);
                return attempt.Task;
            }
        }
    }

    private async Task ConnectAsync(SiloAddress target, TaskCompletionSource<Connection> attempt)
    {
        Socket? socket = null;
        try
        {
            var endPoint = target.Endpoint;
            socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_disposing.Token);
            using var timer = _time.CreateTimer(
                static state => ((CancellationTokenSource)state!).Cancel(), deadline, _options.ConnectTimeout, Timeout.InfiniteTimeSpan);
            await socket.ConnectAsync(endPoint, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or FormatException)
        {
            socket?.Dispose();
            _connections.TryRemove(KeyValuePair.Create(target, attempt.Task));
            _logger.ConnectFailed(ex, target);
            var reason = ex is OperationCanceledException
                ? _disposing.IsCancellationRequested ? "the connection manager is shutting down" : $"no connection within {_options.ConnectTimeout}"
                : ex.Message;
            attempt.TrySetException(new SiloUnavailableException($"Could not connect to silo {target}: {reason}.", requestSent: false, ex));
            return;
        }

        var connection = new Connection(socket, target.ToString(), _handler, _options, _time, _loggers.CreateLogger<Connection>());
        connection.Start();
        _logger.ConnectionOpened(connection.Peer, "outbound");
        _ = ForgetWhenClosedAsync(target, connection, attempt.Task);

        // CloseConnection or DisposeAsync may have dropped this attempt while it connected: its callers fail unsent.
        if (!_connections.TryGetValue(target, out var current) || current != attempt.Task)
        {
            connection.Abort();
        }

        attempt.TrySetResult(connection);
    }

    private async Task ForgetWhenClosedAsync(SiloAddress target, Connection connection, Task<Connection> attempt)
    {
        await connection.Closed.ConfigureAwait(false);
        _connections.TryRemove(KeyValuePair.Create(target, attempt));
    }
}
