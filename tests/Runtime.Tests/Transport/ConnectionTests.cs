using System.Net;
using System.Net.Sockets;
using FleaMarket.Runtime.Messaging;
using FleaMarket.Runtime.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using static FleaMarket.Runtime.Tests.Transport.TransportTestKit;

namespace FleaMarket.Runtime.Tests.Transport;

public sealed class ConnectionTests
{
    [Fact]
    public async Task SendRequestAsync_EitherSide_GetsTheOtherSidesResponse()
    {
        var (left, right) = await ConnectPairAsync(new EchoHandler(), new EchoHandler());
        await using (left)
        await using (right)
        {
            var fromLeft = await left.SendRequestAsync(Request("l", [1]), Patience, CancellationToken.None).WaitAsync(Patience);
            var fromRight = await right.SendRequestAsync(Request("r", [2]), Patience, CancellationToken.None).WaitAsync(Patience);

            Assert.Equal(new byte[] { 1 }, fromLeft.Body.ToArray());
            Assert.Equal(new byte[] { 2 }, fromRight.Body.ToArray());
        }
    }

    [Fact]
    public async Task SendRequestAsync_DoesNotChangeTheCallersMessage()
    {
        var (left, right) = await ConnectPairAsync(new EchoHandler(), new EchoHandler());
        await using (left)
        await using (right)
        {
            var request = Request("mine");
            request.CorrelationId = 99;

            await left.SendRequestAsync(request, Patience, CancellationToken.None).WaitAsync(Patience);

            Assert.Equal(99, request.CorrelationId);
        }
    }

    [Fact]
    public async Task SendRequestAsync_AfterAbort_FailsAsNotSent()
    {
        var (left, right) = await ConnectPairAsync(new EchoHandler(), new EchoHandler());
        await using (right)
        {
            left.Abort();

            var error = await Assert.ThrowsAsync<SiloUnavailableException>(
                () => left.SendRequestAsync(Request("x"), Patience, CancellationToken.None));

            Assert.False(error.RequestSent);
            await right.Closed.WaitAsync(Patience);
        }
    }

    [Fact]
    public async Task Closed_PeerAborts_CompletesAndFailsPendingAsSent()
    {
        var silent = new SilentHandler();
        var (left, right) = await ConnectPairAsync(new EchoHandler(), silent);
        await using (left)
        {
            var pending = left.SendRequestAsync(Request("x"), Timeout.InfiniteTimeSpan, CancellationToken.None);
            await silent.WaitForAsync(1);
            right.Abort();

            var error = await Assert.ThrowsAsync<SiloUnavailableException>(() => pending.WaitAsync(Patience));
            Assert.True(error.RequestSent);
            await left.Closed.WaitAsync(Patience);
            Assert.True(left.IsClosed);
        }
    }

    [Fact]
    public async Task DisposeAsync_QueuedOneWays_FlushesThemFirst()
    {
        var echo = new EchoHandler();
        var (left, right) = await ConnectPairAsync(new EchoHandler(), echo);
        await using (right)
        {
            for (var i = 0; i < 100; i++)
            {
                var message = Request($"o{i}");
                message.Kind = MessageKind.OneWay;
                left.SendOneWay(message);
            }

            await left.DisposeAsync();

            for (var i = 0; i < 100; i++)
            {
                Assert.Equal($"o{i}", (await echo.NextOneWayAsync()).Target.Key);
            }
        }
    }

    [Fact]
    public async Task Closed_PeerSendsFrameOverMax_ClosesTheConnection()
    {
        var (client, server) = await ConnectRawAsync();
        using (client)
        await using (var connection = Start(server, new EchoHandler(), new MessagingOptions { MaxMessageBytes = 4096 }))
        {
            // Only a length prefix announcing 1 MiB: refused before anything else is read.
            await client.SendAsync(BitConverter.GetBytes(1024 * 1024));

            await connection.Closed.WaitAsync(Patience);
            Assert.Equal(0, await client.ReceiveAsync(new byte[16]).WaitAsync(Patience));
        }
    }

    private static async Task<(Connection Left, Connection Right)> ConnectPairAsync(IMessageHandler leftHandler, IMessageHandler rightHandler)
    {
        var (client, server) = await ConnectRawAsync();
        return (Start(client, leftHandler), Start(server, rightHandler));
    }

    private static Connection Start(Socket socket, IMessageHandler handler, MessagingOptions? options = null)
    {
        var connection = new Connection(socket, socket.RemoteEndPoint!.ToString()!, handler, options ?? new MessagingOptions(), TimeProvider.System, NullLogger.Instance);
        connection.Start();
        return connection;
    }

    private static async Task<(Socket Client, Socket Server)> ConnectRawAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var accepting = listener.AcceptAsync();
        await client.ConnectAsync(listener.LocalEndPoint!);
        return (client, await accepting.WaitAsync(Patience));
    }
}
