namespace FleaMarket.Runtime.Transport;

/// <summary>Settings of the silo-to-silo and client-to-silo TCP transport.</summary>
public sealed class MessagingOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Messaging";

    /// <summary>How long a caller waits for the response to a request before it fails with a timeout. Default 30 s.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long opening a TCP connection to a silo may take before the call fails as unavailable. Default 5 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The largest frame (header, grain id and body) a connection sends or accepts. A larger inbound frame
    /// closes the connection; a larger outbound request fails. Default 16 MiB.
    /// </summary>
    public int MaxMessageBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>How many accepted-but-not-yet-served connections the listener queues. Default 512.</summary>
    public int ListenBacklog { get; set; } = 512;

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the first setting that is out of range.</summary>
    public void Validate()
    {
        if (ResponseTimeout <= TimeSpan.Zero)
        {
            throw Invalid(nameof(ResponseTimeout), ResponseTimeout, "must be positive");
        }

        if (ConnectTimeout <= TimeSpan.Zero)
        {
            throw Invalid(nameof(ConnectTimeout), ConnectTimeout, "must be positive");
        }

        // Below 1 KiB not even a grain id with a small argument fits.
        if (MaxMessageBytes < 1024)
        {
            throw Invalid(nameof(MaxMessageBytes), MaxMessageBytes, "must be at least 1024");
        }

        if (ListenBacklog < 1)
        {
            throw Invalid(nameof(ListenBacklog), ListenBacklog, "must be at least 1");
        }
    }

    private static InvalidOperationException Invalid(string setting, object value, string rule) =>
        new($"{SectionName}:{setting} {rule} (was {value}).");
}
