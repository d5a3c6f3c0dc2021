namespace FleaMarket.Runtime.Invocation;

/// <summary>Sends calls made through grain references: a silo (grain-to-grain calls) or a cluster client.</summary>
internal interface IGrainCaller
{
    /// <summary>Calls <paramref name="method"/> on <paramref name="target"/> and returns its result (null for Task).</summary>
    Task<object?> InvokeAsync(GrainId target, GrainMethod method, object?[] arguments);

    /// <summary>Sends a one-way call: no result, no error reported back.</summary>
    void InvokeOneWay(GrainId target, GrainMethod method, object?[] arguments);
}
