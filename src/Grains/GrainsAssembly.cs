namespace FleaMarket.Grains;

/// <summary>Anchor for registering every grain class of this assembly with a silo.</summary>
public static class GrainsAssembly;
