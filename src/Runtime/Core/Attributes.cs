namespace FleaMarket.Runtime;

/// <summary>
/// Lets an activation of this grain class start a new request while another one awaits.
/// Requests still run one piece at a time on the activation's scheduler.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class ReentrantAttribute : Attribute;

/// <summary>
/// A grain method that does not change state: read-only requests interleave with each other,
/// never with a request that may write.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ReadOnlyAttribute : Attribute;

/// <summary>A grain method that interleaves with every other request of its activation.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AlwaysInterleaveAttribute : Attribute;

/// <summary>
/// A grain method whose repetition is harmless: the cluster client may resend it after a
/// connection drop even when the first attempt might have run.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class IdempotentAttribute : Attribute;

/// <summary>A one-way method: the caller does not wait for the grain and gets no result or error.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OneWayAttribute : Attribute;

/// <summary>
/// Names a grain type explicitly (the default is the implementation class name without a "Grain" suffix,
/// lower-cased). The name is part of every grain id and of stored state keys, so keep it stable.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Interface)]
public sealed class GrainTypeAttribute(string name) : Attribute
{
    /// <summary>The grain type name.</summary>
    public string Name { get; } = name;
}
