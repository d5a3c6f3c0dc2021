using System.Globalization;

namespace FleaMarket.Runtime.Redis;

/// <summary>How to reach Redis (configuration section "Redis").</summary>
public sealed class RedisOptions
{
    /// <summary>Configuration section the options bind from.</summary>
    public const string SectionName = "Redis";

    /// <summary>Server as <c>host:port</c>. Default <c>127.0.0.1:6379</c>.</summary>
    public string Endpoint { get; set; } = "127.0.0.1:6379";

    /// <summary>ACL user name; null authenticates as the default user (with <see cref="Password"/> alone). Default null.</summary>
    public string? User { get; set; }

    /// <summary>Password sent with AUTH after every connect; null sends no AUTH. Default null.</summary>
    public string? Password { get; set; }

    /// <summary>Logical database selected after every connect (0..15 on a default server). Default 0.</summary>
    public int Database { get; set; }

    /// <summary>
    /// How long one connect (TCP, AUTH, SELECT) may take, and how long a command waits for a connection
    /// while the client reconnects. Default 5 s.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a sent command waits for its reply. Default 5 s.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest pause between reconnect attempts; pauses start at 50 ms and double up to this. Default 2 s.</summary>
    public TimeSpan MaxReconnectBackoff { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Cluster id: names the membership key <c>fleamarket:{ClusterId}:membership</c>. Default "fleamarket".</summary>
    public string ClusterId { get; set; } = "fleamarket";

    /// <summary>Throws naming the first invalid setting.</summary>
    public void Validate()
    {
        if (!TryParseEndpoint(Endpoint, out _, out _))
        {
            throw new InvalidOperationException($"Redis setting {nameof(Endpoint)} '{Endpoint}' is not of the form host:port.");
        }

        if (Database < 0) throw new InvalidOperationException($"Redis setting {nameof(Database)} must not be negative, not {Database}.");
        if (User is not null && Password is null) throw new InvalidOperationException($"Redis setting {nameof(User)} needs a {nameof(Password)} as well.");
        RequirePositive(ConnectTimeout, nameof(ConnectTimeout));
        RequirePositive(CommandTimeout, nameof(CommandTimeout));
        RequirePositive(MaxReconnectBackoff, nameof(MaxReconnectBackoff));
        if (string.IsNullOrWhiteSpace(ClusterId)) throw new InvalidOperationException($"Redis setting {nameof(ClusterId)} must not be empty.");
    }

    internal static bool TryParseEndpoint(string? endpoint, out string host, out int port)
    {
        host = "";
        port = 0;
        var colon = endpoint?.LastIndexOf(':') ?? -1;
        if (endpoint is null || colon <= 0) return false;
        host = endpoint[..colon].Trim('[', ']');
        return int.TryParse(endpoint.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and <= 65535;
    }

    private static void RequirePositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero) throw new InvalidOperationException($"Redis setting {name} must be positive, not {value}.");
    }
}
