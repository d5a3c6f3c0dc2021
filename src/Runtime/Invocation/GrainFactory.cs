namespace FleaMarket.Runtime.Invocation;

/// <summary>Creates grain references that send their calls through one <see cref="IGrainCaller"/>.</summary>
internal sealed class GrainFactory(IGrainCaller caller) : IGrainFactory
{
    public TGrain GetGrain<TGrain>(string key) where TGrain : IGrainWithStringKey
    {
        ArgumentNullException.ThrowIfNull(key);
        return (TGrain)GetGrain(typeof(TGrain), GrainId.FromString(TypeName<TGrain>(), key));
    }

    public TGrain GetGrain<TGrain>(Guid key) where TGrain : IGrainWithGuidKey =>
        (TGrain)GetGrain(typeof(TGrain), GrainId.FromGuid(TypeName<TGrain>(), key));

    public TGrain GetGrain<TGrain>(long key) where TGrain : IGrainWithIntegerKey =>
        (TGrain)GetGrain(typeof(TGrain), GrainId.FromInt64(TypeName<TGrain>(), key));

    /// <summary>A reference to <paramref name="grainId"/> through <paramref name="interfaceType"/> (used for reminders).</summary>
    public object GetGrain(Type interfaceType, GrainId grainId) => GrainReference.Create(interfaceType, grainId, caller);

    private static string TypeName<TGrain>() => GrainInterfaceCatalog.Get(typeof(TGrain)).GrainType;
}
