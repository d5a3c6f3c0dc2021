using System.Net;
using System.Net.Sockets;

namespace FleaMarket.Api.Limits;

/// <summary>The client a per-address limit counts: the peer, or the client a trusted proxy names (Api:TrustedProxies).</summary>
internal static class ClientAddress
{
    /// <summary>
    /// The peer's IPv4 address, or the /64 of an IPv6 one: a single IPv6 subscriber is handed a whole /64, so
    /// counting single addresses would give one client 2^64 allowances.
    /// </summary>
    public static string Of(HttpContext context)
    {
        if (context.Connection.RemoteIpAddress is not { } address) return "unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return $"{new IPAddress(bytes)}/64";
    }
}
