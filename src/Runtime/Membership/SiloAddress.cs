using System.Globalization;
using System.Net;

namespace FleaMarket.Runtime.Membership;

/// <summary>
/// A silo process: the endpoint it listens on plus a generation (its start time) that tells a
/// restarted silo on the same endpoint apart from its dead predecessor.
/// </summary>
public readonly record struct SiloAddress(string Host, int Port, long Generation) : IComparable<SiloAddress>
{
    /// <summary>The TCP endpoint silos and clients connect to.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IPEndPoint Endpoint => new(IPAddress.Parse(Host), Port);

    /// <inheritdoc />
    public int CompareTo(SiloAddress other)
    {
        var byHost = string.CompareOrdinal(Host, other.Host);
        if (byHost != 0) return byHost;
        var byPort = Port.CompareTo(other.Port);
        return byPort != 0 ? byPort : Generation.CompareTo(other.Generation);
    }

    /// <summary>Formats as <c>host:port@generation</c>.</summary>
    public override string ToString() => $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}@{Generation.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Parses the <c>host:port@generation</c> form.</summary>
    public static SiloAddress Parse(string text)
    {
        var at = text.LastIndexOf('@');
        var colon = text.LastIndexOf(':', at < 0 ? text.Length - 1 : at);
        if (at < 0 || colon < 0)
        {
            throw new FormatException($"'{text}' is not a silo address of the form host:port@generation.");
        }

        return new SiloAddress(
            text[..colon],
            int.Parse(text.AsSpan(colon + 1, at - colon - 1), CultureInfo.InvariantCulture),
            long.Parse(text.AsSpan(at + 1), CultureInfo.InvariantCulture));
    }
}
