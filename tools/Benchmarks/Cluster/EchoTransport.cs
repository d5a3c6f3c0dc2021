using System.Net;
using System.Text;
using FleaMarket.Runtime;
using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.Messaging;
using FleaMarket.Runtime.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace FleaMarket.Benchmarks.Cluster;

/// <summary>
/// The transport alone: a <see cref="ConnectionManager"/> sending ping-sized requests to a
/// <see cref="SiloListener"/> that echoes them, with no serializer, router or activation in between.
/// Its round trip is the floor under a cross-silo grain call.
/// </summary>
internal sealed class EchoTransport : IAsyncDisposable
{
    private readonly SiloListener _listener;
    private readonly ConnectionManager _manager;
    private readonly SiloAddress _address;

    private EchoTransport()
    {
        var options = new MessagingOptions();
        _listener = new SiloListener(new IPEndPoint(IPAddress.Loopback, 0), new EchoHandler(), options, TimeProvider.System, NullLoggerFactory.Instance);
        _listener.Start();
        _address = new SiloAddress("127.0.0.1", _listener.LocalEndPoint.Port, Generation: 1);
        _manager = new ConnectionManager(new EchoHandler(), options, TimeProvider.System, NullLoggerFactory.Instance);
    }

    public static async Task<EchoTransport> StartAsync()
    {
        var transport = new EchoTransport();
        await transport.RoundTripAsync(0);
        return transport;
    }

    /// <summary>One request shaped like a ping call (same grain id length, "[n]" JSON body) and its echo.</summary>
    public Task<Message> RoundTripAsync(int value) => _manager.SendRequestAsync(_address, new Message
    {
        Kind = MessageKind.Request,
        Target = GrainId.FromString("ping", "ping-123"),
        MethodId = 42,
        Body = Encoding.UTF8.GetBytes($"[{value}]"),
    });

    public async ValueTask DisposeAsync()
    {
        await _manager.DisposeAsync();
        await _listener.DisposeAsync();
    }

    private sealed class EchoHandler : IMessageHandler
    {
        public void OnMessage(Message message, IReplySink replyTo)
        {
            if (message.Kind == MessageKind.Request) replyTo.Reply(Message.CreateResponse(message, ResponseStatus.Ok, message.Body, viewVersion: 1));
        }
    }
}
