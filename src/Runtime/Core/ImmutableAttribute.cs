namespace FleaMarket.Runtime;

/// <summary>
/// Marks a type whose instances never change after construction, so calls between grains of one silo
/// may pass it without copying.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct)]
public sealed class ImmutableAttribute : Attribute;
