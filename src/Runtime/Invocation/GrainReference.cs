using System.Reflection;

namespace FleaMarket.Runtime.Invocation;

/// <summary>
/// The proxy behind every grain interface a caller holds. <see cref="DispatchProxy"/> emits the
/// interface implementation once per interface; each call looks up its prebuilt <see cref="GrainMethod"/>.
/// </summary>
internal class GrainReference : DispatchProxy
{
    private GrainInterfaceInfo _interface = null!;
    private IGrainCaller _caller = null!;

    public GrainId GrainId { get; private set; }

    public static object Create(Type interfaceType, GrainId grainId, IGrainCaller caller)
    {
        var proxy = (GrainReference)Create(interfaceType, typeof(GrainReference));
        proxy._interface = GrainInterfaceCatalog.Get(interfaceType);
        proxy.GrainId = grainId;
        proxy._caller = caller;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var method = _interface.ByMethodInfo[targetMethod];
        args ??= [];
        if (method.IsOneWay)
        {
            _caller.InvokeOneWay(GrainId, method, args);
            return Task.CompletedTask;
        }

        var call = _caller.InvokeAsync(GrainId, method, args);
        return method.ResultType is null ? call : method.CastResult(call);
    }

    public override bool Equals(object? obj) => obj is GrainReference other && other.GrainId == GrainId;

    public override int GetHashCode() => GrainId.GetHashCode();

    public override string ToString() => GrainId.ToString();
}
