using System.Diagnostics;
using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.Messaging;
using FleaMarket.Runtime.Testing;
using FleaMarket.Runtime.Transport;
using Xunit.Abstractions;
using static FleaMarket.Runtime.Tests.Transport.TransportTestKit;

namespace FleaMarket.Runtime.Tests.Transport;

public sealed class ConnectionManagerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SendRequestAsync_EchoingSilo_ReturnsItsResponse()
    {
        await using var silo = StartListener(new EchoHandler());
        await using var manager = Manager();

        var response = await manager.SendRequestAsync(AddressOf(silo), Request("a", [1, 2, 3])).WaitAsync(Patience);

        Assert.Equal(MessageKind.Response, response.Kind);
        Assert.Equal(ResponseStatus.Ok, response.Status);
        Assert.Equal(7, response.ViewVersion);
        Assert.Equal(new byte[] { 1, 2, 3 }, response.Body.ToArray());
        Assert.Equal(1, silo.ConnectionCount);
    }

    [Fact]
    public async Task SendRequestAsync_TenThousandConcurrent_EachGetsItsOwnResponseOverOneConnection()
    {
        await using var silo = StartListener(new EchoHandler());
        await using var manager = Manager();
        var target = AddressOf(silo);

        var calls = Enumerable.Range(0, 10_000)
            .Select(i => manager.SendRequestAsync(target, Request($"k{i}", BitConverter.GetBytes(i))))
            .ToArray();
        var responses = await Task.WhenAll(calls).WaitAsync(Patience);

        for (var i = 0; i < responses.Length; i++)
        {
            Assert.Equal(i, BitConverter.ToInt32(responses[i].Body.Span));
            Assert.Equal($"k{i}", responses[i].Target.Key);
        }

        Assert.Equal(1, silo.ConnectionCount);
    }

    [Fact]
    public async Task SendOneWay_EchoingSilo_DeliversTheMessage()
    {
        var handler = new EchoHandler();
        await using var silo = StartListener(handler);
        await using var manager = Manager();

        var message = Request("one-way", [5]);
        message.Kind = MessageKind.OneWay;
        manager.SendOneWay(AddressOf(silo), message);
        var received = await handler.NextOneWayAsync();

        Assert.Equal(MessageKind.OneWay, received.Kind);
        Assert.Equal("one-way", received.Target.Key);
        Assert.Equal(new byte[] { 5 }, received.Body.ToArray());
    }

    [Fact]
    public async Task SendOneWay_ClosedPort_DoesNotThrow()
    {
        await using var manager = Manager();
        var message = Request("lost");
        message.Kind = MessageKind.OneWay;

        manager.SendOneWay(new("127.0.0.1", ClosedPort(), 1), message);
    }

    [Fact]
    public async Task SendRequestAsync_SiloNeverReplies_FailsWithTimeoutAfterConfiguredTimeout()
    {
        var timeout = TimeSpan.FromMilliseconds(200);
        await using var silo = StartListener(new SilentHandler());
        await using var manager = Manager(new MessagingOptions { ResponseTimeout = timeout });

        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<GrainCallTimeoutException>(() => manager.SendRequestAsync(AddressOf(silo), Request("slow")).WaitAsync(Patience));

        Assert.InRange(clock.Elapsed, timeout - TimeSpan.FromMilliseconds(5), Patience);
    }

    [Fact]
    public async Task SendRequestAsync_ManualClockPassesExplicitTimeout_FailsWithTimeout()
    {
        var time = new ManualTimeProvider();
        var handler = new SilentHandler();
        await using var silo = StartListener(handler, time: time);
        await using var manager = Manager(time: time);

        var call = manager.SendRequestAsync(AddressOf(silo), Request("probe"), TimeSpan.FromSeconds(1), CancellationToken.None);
        await handler.WaitForAsync(1);
        time.Advance(TimeSpan.FromMilliseconds(900));
        Assert.False(call.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAsync<GrainCallTimeoutException>(() => call.WaitAsync(Patience));
    }

    [Fact]
    public async Task SendRequestAsync_SiloKilledWhileRequestsPending_FailsThemFastAsSent()
    {
        var handler = new SilentHandler();
        var silo = StartListener(handler);
        await using var manager = Manager();
        var target = AddressOf(silo);

        var calls = Enumerable.Range(0, 100).Select(i => manager.SendRequestAsync(target, Request($"p{i}"))).ToArray();
        await handler.WaitForAsync(calls.Length);
        var clock = Stopwatch.StartNew();
        await silo.DisposeAsync();

        foreach (var call in calls)
        {
            var error = await Assert.ThrowsAsync<SiloUnavailableException>(() => call.WaitAsync(Patience));
            Assert.True(error.RequestSent);
        }

        // Far below the 30 s response timeout: the drop, not a deadline, ended the calls.
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, Patience);
        var refused = await Assert.ThrowsAsync<SiloUnavailableException>(() => manager.SendRequestAsync(target, Request("after")).WaitAsync(Patience));
        Assert.False(refused.RequestSent);
    }

    [Fact]
    public async Task SendRequestAsync_ClosedPort_FailsAsNotSentNamingTheSilo()
    {
        await using var manager = Manager();
        var target = new SiloAddress("127.0.0.1", ClosedPort(), 3);

        var error = await Assert.ThrowsAsync<SiloUnavailableException>(() => manager.SendRequestAsync(target, Request("x")).WaitAsync(Patience));

        Assert.False(error.RequestSent);
        Assert.Contains(target.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CloseConnection_RequestsPending_FailsThemAsSentAndNextCallReconnects()
    {
        var handler = new SilentHandler();
        await using var silo = StartListener(handler);
        await using var manager = Manager();
        var target = AddressOf(silo);

        var pending = manager.SendRequestAsync(target, Request("pending"));
        await handler.WaitForAsync(1);
        manager.CloseConnection(target);

        var error = await Assert.ThrowsAsync<SiloUnavailableException>(() => pending.WaitAsync(Patience));
        Assert.True(error.RequestSent);
        var again = manager.SendRequestAsync(target, Request("again"));
        await handler.WaitForAsync(1);
        Assert.False(again.IsCompleted);
    }

    [Fact]
    public async Task SendRequestAsync_CallerCancels_CancelsOnlyThatCall()
    {
        await using var silo = StartListener(new SilentHandler());
        await using var manager = Manager();
        using var cancel = new CancellationTokenSource();

        var call = manager.SendRequestAsync(AddressOf(silo), Request("c"), cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Patience));
    }

    [Fact]
    public async Task SendRequestAsync_RequestOverMaxMessageBytes_FailsWithoutClosingTheConnection()
    {
        await using var silo = StartListener(new EchoHandler());
        await using var manager = Manager(new MessagingOptions { MaxMessageBytes = 4096 });
        var target = AddressOf(silo);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => manager.SendRequestAsync(target, Request("big", new byte[5000])).WaitAsync(Patience));
        var response = await manager.SendRequestAsync(target, Request("small", [1])).WaitAsync(Patience);

        Assert.Contains(nameof(MessagingOptions.MaxMessageBytes), error.Message, StringComparison.Ordinal);
        Assert.Equal(new byte[] { 1 }, response.Body.ToArray());
    }

    [Fact]
    public async Task SendRequestAsync_ThroughputSmoke_AnswersEveryCall()
    {
        await using var silo = StartListener(new EchoHandler());
        await using var manager = Manager();
        var target = AddressOf(silo);
        const int total = 200_000;
        const int window = 2_000;

        var clock = Stopwatch.StartNew();
        for (var sent = 0; sent < total; sent += window)
        {
            var batch = new Task<Message>[window];
            for (var i = 0; i < window; i++)
            {
                batch[i] = manager.SendRequestAsync(target, Request("t", [1, 2, 3, 4]));
            }

            await Task.WhenAll(batch).WaitAsync(Patience);
        }

        output.WriteLine($"{total} calls in {clock.Elapsed.TotalMilliseconds:F0} ms = {total / clock.Elapsed.TotalSeconds:F0} calls/s");
    }
}
