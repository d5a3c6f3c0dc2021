using System.Net;

namespace FleaMarket.Runtime.Hosting;

/// <summary>Identity and endpoint of a silo (configuration section "Silo").</summary>
public sealed class SiloOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Silo";

    /// <summary>Human-readable name shown in the membership table and dashboard. Default: the machine name.</summary>
    public string SiloName { get; set; } = Environment.MachineName;

    /// <summary>
    /// IP address other silos and clients use to reach this silo; also the address it listens on unless
    /// <see cref="ListenAddress"/> is set. Default 127.0.0.1.
    /// </summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>Address to bind (e.g. 0.0.0.0 in a container). Default: <see cref="AdvertisedAddress"/>.</summary>
    public string? ListenAddress { get; set; }

    /// <summary>TCP port for silo-to-silo and client traffic; 0 picks a free port. Default 11111.</summary>
    public int Port { get; set; } = 11111;

    /// <summary>Throws naming the first invalid setting.</summary>
    public void Validate()
    {
        if (!IPAddress.TryParse(AdvertisedAddress, out _))
        {
            throw new InvalidOperationException($"Silo setting {nameof(AdvertisedAddress)} '{AdvertisedAddress}' is not an IP address.");
        }

        if (ListenAddress is not null && !IPAddress.TryParse(ListenAddress, out _))
        {
            throw new InvalidOperationException($"Silo setting {nameof(ListenAddress)} '{ListenAddress}' is not an IP address.");
        }

        if (Port is < 0 or > 65535) throw new InvalidOperationException($"Silo setting {nameof(Port)} must be 0..65535, not {Port}.");
        if (string.IsNullOrWhiteSpace(SiloName)) throw new InvalidOperationException($"Silo setting {nameof(SiloName)} must not be empty.");
    }
}
