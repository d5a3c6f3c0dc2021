using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FleaMarket.Cluster.Tests.Faults;

/// <summary>One inline command to a redis-server, for server administration the membership client does not offer.</summary>
internal static class RedisCli
{
    public static async Task<string> SendAsync(int port, string command)
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"), timeout.Token);
        var buffer = new byte[256];
        var read = await stream.ReadAsync(buffer, timeout.Token);
        return Encoding.ASCII.GetString(buffer, 0, read).Trim();
    }
}
