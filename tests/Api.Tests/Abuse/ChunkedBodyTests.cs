using System.Net.Sockets;
using System.Text;
using FleaMarket.Api.Tests.Contract;
using FleaMarket.Api.Tests.Infrastructure;

namespace FleaMarket.Api.Tests.Abuse;

/// <summary>
/// Chunked request bodies over a real socket (the in-memory server never sees framing): the 64 KiB limit is on
/// the decoded body, not on its framing, and broken framing is a 400, not a 413 or a 500.
/// </summary>
public sealed class ChunkedBodyTests(ApiClusterFixture fixture) : IClassFixture<ApiClusterFixture>, IAsyncLifetime
{
    private ApiNode _node = null!;

    public async Task InitializeAsync() => _node = await ApiNode.StartAsync(fixture.Market.Cluster.Client, overTcp: true);

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task RegisterUser_60KiBBodyInOneByteChunks_IsReadAsTheBodyItIs()
    {
        // Valid JSON under the limit, framed five times its size: refused for its content (400), not its framing (413).
        var body = Encoding.UTF8.GetBytes($$"""{"username":"{{Shopper.NewUsername()}}","password":"correct horse","displayName":"{{new string('x', 60_000)}}"}""");
        var framed = body.SelectMany(b => Encoding.ASCII.GetBytes("1\r\n").Append(b).Concat(Encoding.ASCII.GetBytes("\r\n"))).ToArray();

        var answer = await SendChunkedAsync(framed);

        Assert.StartsWith("HTTP/1.1 400", answer, StringComparison.Ordinal);
        Assert.Contains("displayName", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegisterUser_ChunkedBodyOverTheLimit_Returns413()
    {
        var body = Encoding.ASCII.GetBytes("{" + new string(' ', 65 * 1024) + "}");

        var answer = await SendChunkedAsync([.. Encoding.ASCII.GetBytes($"{body.Length:x}\r\n"), .. body, .. "\r\n"u8]);

        Assert.StartsWith("HTTP/1.1 413", answer, StringComparison.Ordinal);
        Assert.Contains("payload-too-large", answer, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("zz\r\nabc\r\n")]
    [InlineData("3\r\nabcXX")]
    [InlineData("-1\r\nabc\r\n")]
    [InlineData("3;\0\r\nabc\r\n")]
    public async Task RegisterUser_MalformedChunkFraming_Returns400(string framing)
    {
        var answer = await SendChunkedAsync(Encoding.ASCII.GetBytes(framing));

        Assert.StartsWith("HTTP/1.1 400", answer, StringComparison.Ordinal);
    }

    /// <summary>POSTs the framed chunks (and the last chunk) to /api/users; returns the whole answer as text.</summary>
    private async Task<string> SendChunkedAsync(byte[] chunks)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(_node.Address.Host, _node.Address.Port);
        var stream = client.GetStream();
        var head = "POST /api/users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"u8;
        await stream.WriteAsync(head.ToArray());
        try
        {
            await stream.WriteAsync(chunks);
            await stream.WriteAsync("0\r\n\r\n"u8.ToArray());
        }
        catch (IOException)
        {
            // The server may answer and close before reading everything; its answer is what is asserted.
        }

        using var reader = new StreamReader(stream, Encoding.UTF8);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await reader.ReadToEndAsync(deadline.Token);
    }
}
