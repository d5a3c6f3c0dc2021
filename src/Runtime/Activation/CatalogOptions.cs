namespace FleaMarket.Runtime.Activation;

/// <summary>How activations live and die on a silo.</summary>
public sealed class CatalogOptions
{
    /// <summary>An activation idle for this long is deactivated. Default 15 minutes.</summary>
    public TimeSpan CollectionAge { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often idle activations are looked for. Default 1 minute.</summary>
    public TimeSpan CollectionQuantum { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Longest time for reading state plus <c>OnActivateAsync</c>. Default 30 seconds.</summary>
    public TimeSpan ActivationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest time for <c>OnDeactivateAsync</c>. Default 30 seconds.</summary>
    public TimeSpan DeactivationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a silo that gained a grain waits for the previous owner to release it (or to be declared
    /// dead) before the call fails with a retriable error. Default 30 seconds.
    /// </summary>
    public TimeSpan HandoffTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws naming the first invalid setting.</summary>
    public void Validate()
    {
        Require(CollectionAge > TimeSpan.Zero, nameof(CollectionAge));
        Require(CollectionQuantum > TimeSpan.Zero, nameof(CollectionQuantum));
        Require(ActivationTimeout > TimeSpan.Zero, nameof(ActivationTimeout));
        Require(DeactivationTimeout > TimeSpan.Zero, nameof(DeactivationTimeout));
        Require(HandoffTimeout > TimeSpan.Zero, nameof(HandoffTimeout));
    }

    private static void Require(bool valid, string setting)
    {
        if (!valid) throw new InvalidOperationException($"Catalog setting {setting} must be greater than zero.");
    }
}
