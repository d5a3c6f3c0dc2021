using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.Messaging;
using FleaMarket.Runtime.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace FleaMarket.Runtime.Tests.Transport;

/// <summary>Answers every request with its own body; keeps one-way messages for the test to read.</summary>
internal sealed class EchoHandler : IMessageHandler
{
    private readonly Channel<Message> _oneWays = Channel.CreateUnbounded<Message>();

    public async Task<Message> NextOneWayAsync() =>
        await _oneWays.Reader.ReadAsync().AsTask().WaitAsync(TransportTestKit.Patience);

    public void OnMessage(Message message, IReplySink replyTo)
    {
        if (message.Kind == MessageKind.Request)
        {
            replyTo.Reply(Message.CreateResponse(message, ResponseStatus.Ok, message.Body, viewVersion: 7));
        }
        else
        {
            _oneWays.Writer.TryWrite(message);
        }
    }
}

/// <summary>Takes requests and never answers, so callers can only time out or see the connection drop.</summary>
internal sealed class SilentHandler : IMessageHandler
{
    private readonly SemaphoreSlim _arrivals = new(0);

    public void OnMessage(Message message, IReplySink replyTo) => _arrivals.Release();

    /// <summary>Waits until <paramref name="count"/> more messages have arrived.</summary>
    public async Task WaitForAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.True(await _arrivals.WaitAsync(TransportTestKit.Patience), $"Only {i} of {count} messages arrived.");
        }
    }
}

internal static class TransportTestKit
{
    /// <summary>How long a test waits for something that should happen almost at once.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static Message Request(string key, byte[]? body = null) => new()
    {
        Kind = MessageKind.Request,
        Target = GrainId.FromString("test", key),
        MethodId = 42,
        Body = body ?? [],
    };

    public static SiloListener StartListener(IMessageHandler handler, MessagingOptions? options = null, TimeProvider? time = null)
    {
        var listener = new SiloListener(
            new IPEndPoint(IPAddress.Loopback, 0), handler, options ?? new MessagingOptions(), time ?? TimeProvider.System, NullLoggerFactory.Instance);
        listener.Start();
        return listener;
    }

    public static ConnectionManager Manager(MessagingOptions? options = null, TimeProvider? time = null, IMessageHandler? handler = null) =>
        new(handler ?? new EchoHandler(), options ?? new MessagingOptions(), time ?? TimeProvider.System, NullLoggerFactory.Instance);

    public static SiloAddress AddressOf(SiloListener listener) => new("127.0.0.1", listener.LocalEndPoint.Port, Generation: 1);

    /// <summary>A loopback port nobody listens on (bound, then released).</summary>
    public static int ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
