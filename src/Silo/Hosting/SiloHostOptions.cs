using System.Net;

namespace FleaMarket.Silo.Hosting;

/// <summary>This silo's identity and endpoints (configuration section "Silo").</summary>
public sealed class SiloHostOptions
{
    public const string SectionName = "Silo";

    /// <summary>Name shown in the membership table and the dashboard. Default: the machine name.</summary>
    public string? SiloName { get; set; }

    /// <summary>Address other silos and clients use to reach this one. Default 127.0.0.1.</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>Address to bind the silo and gateway ports. Default: the advertised address.</summary>
    public string? ListenAddress { get; set; }

    /// <summary>
    /// Silo-to-silo port. Default 11111 in a cluster; with Engines:Membership=Local (one silo alone) a free
    /// port is picked, so the embedded default never collides with another process. 0 = pick a free port.
    /// </summary>
    public int? Port { get; set; }

    /// <summary>Port API nodes (Orleans clients) connect to. Default 30000 in a cluster, a free port when Local. 0 = pick a free port.</summary>
    public int? GatewayPort { get; set; }

    /// <summary>
    /// Orleans' activation rebalancer (experimental in 10.4): moves existing activations so silos hold similar
    /// numbers, e.g. onto a silo that joined. Default false: a silo that joins takes new activations only, because
    /// moving a listing in the middle of a drop pauses its purchases while it deactivates and replays its journal
    /// elsewhere (docs/operations.md).
    /// </summary>
    public bool ActivationRebalancer { get; set; }

    internal IPAddress Advertised => IPAddress.Parse(AdvertisedAddress);

    internal IPAddress Listen => ListenAddress is { Length: > 0 } listen ? IPAddress.Parse(listen) : Advertised;

    /// <summary>Throws naming the first invalid setting.</summary>
    public void Validate()
    {
        if (!IPAddress.TryParse(AdvertisedAddress, out _)) throw new InvalidOperationException($"Silo:AdvertisedAddress '{AdvertisedAddress}' is not an IP address.");
        if (ListenAddress is { Length: > 0 } && !IPAddress.TryParse(ListenAddress, out _)) throw new InvalidOperationException($"Silo:ListenAddress '{ListenAddress}' is not an IP address.");
        if (Port is < 0 or > 65535) throw new InvalidOperationException($"Silo:Port {Port} is not a port (0-65535).");
        if (GatewayPort is < 0 or > 65535) throw new InvalidOperationException($"Silo:GatewayPort {GatewayPort} is not a port (0-65535).");
        if (Port is > 0 && Port == GatewayPort) throw new InvalidOperationException("Silo:Port and Silo:GatewayPort must differ.");
    }
}
