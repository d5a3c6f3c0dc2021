using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace FleaMarket.Grains;

/// <summary>
/// Grain references by string key without Orleans' per-call type resolution. <c>IGrainFactory.GetGrain&lt;T&gt;(key)</c>
/// resolves the interface's grain type again on every call, through reflection over its attributes; at a drop that
/// was about 5% of the CPU of silos and API nodes (every purchase takes three references). Here the grain type and
/// interface type are resolved once per factory and interface, by Orleans itself on the first call, and every
/// later reference is built from them: the same reference <c>GetGrain</c> returns.
/// </summary>
public static class GrainReferences
{
    private static readonly ConditionalWeakTable<IGrainFactory, ConcurrentDictionary<Type, (GrainType Grain, GrainInterfaceType Interface)>> s_resolved = [];

    /// <summary>The reference to the grain of interface <typeparamref name="TGrainInterface"/> with this key.</summary>
    public static TGrainInterface Reference<TGrainInterface>(this IGrainFactory factory, string key)
        where TGrainInterface : IGrainWithStringKey
    {
        var resolved = s_resolved.GetValue(factory, static _ => new());
        if (resolved.TryGetValue(typeof(TGrainInterface), out var types))
        {
            return (TGrainInterface)factory.GetGrain(GrainId.Create(types.Grain, key), types.Interface);
        }

        var reference = factory.GetGrain<TGrainInterface>(key);
        if (reference is GrainReference grainReference)
        {
            resolved.TryAdd(typeof(TGrainInterface), (grainReference.GrainId.Type, grainReference.InterfaceType));
        }

        return reference;
    }
}
