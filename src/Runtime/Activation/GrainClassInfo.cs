using System.Reflection;
using FleaMarket.Runtime.Invocation;
using FleaMarket.Runtime.Persistence;
using Microsoft.Extensions.DependencyInjection;

namespace FleaMarket.Runtime.Activation;

/// <summary>
/// A grain implementation class: its grain type name, whether it is reentrant, and how to build an
/// instance with its services and persistent states (constructor analysed once).
/// </summary>
internal sealed class GrainClassInfo
{
    private static readonly MethodInfo CreateStateMethod =
        typeof(GrainClassInfo).GetMethod(nameof(CreateState), BindingFlags.NonPublic | BindingFlags.Static)!;

    private readonly ConstructorInfo _constructor;
    private readonly Func<IServiceProvider, GrainId, (object Value, IStateLoader? State)>[] _parameters;

    public GrainClassInfo(Type classType, string grainType, IReadOnlyList<GrainInterfaceInfo> interfaces)
    {
        ClassType = classType;
        GrainType = grainType;
        Interfaces = interfaces;
        IsReentrant = classType.IsDefined(typeof(ReentrantAttribute), inherit: true);
        _constructor = classType.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault()
            ?? throw new InvalidOperationException($"Grain class {classType.FullName} needs a public constructor.");
        _parameters = [.. _constructor.GetParameters().Select(BindParameter)];
    }

    public Type ClassType { get; }

    public string GrainType { get; }

    public IReadOnlyList<GrainInterfaceInfo> Interfaces { get; }

    public bool IsReentrant { get; }

    /// <summary>Builds a grain instance for <paramref name="grainId"/>; its persistent states still have to be read.</summary>
    public (Grain Grain, IReadOnlyList<IStateLoader> States) Create(IServiceProvider services, GrainId grainId)
    {
        var arguments = new object[_parameters.Length];
        var states = new List<IStateLoader>();
        for (var i = 0; i < _parameters.Length; i++)
        {
            var (value, state) = _parameters[i](services, grainId);
            arguments[i] = value;
            if (state is not null) states.Add(state);
        }

        return ((Grain)_constructor.Invoke(arguments), states);
    }

    private Func<IServiceProvider, GrainId, (object, IStateLoader?)> BindParameter(ParameterInfo parameter)
    {
        var attribute = parameter.GetCustomAttribute<PersistentStateAttribute>();
        if (attribute is null)
        {
            if (parameter.GetCustomAttribute<FromKeyedServicesAttribute>() is { } keyed)
            {
                return (services, _) => (services.GetRequiredKeyedService(parameter.ParameterType, keyed.Key), null);
            }

            return (services, _) => (services.GetRequiredService(parameter.ParameterType), null);
        }

        if (!parameter.ParameterType.IsGenericType || parameter.ParameterType.GetGenericTypeDefinition() != typeof(IPersistentState<>))
        {
            throw new InvalidOperationException(
                $"{ClassType.FullName}: [PersistentState] goes on a parameter of type IPersistentState<T>, not {parameter.ParameterType.Name}.");
        }

        var create = (Func<string, GrainId, IGrainStorage, object>)CreateStateMethod
            .MakeGenericMethod(parameter.ParameterType.GetGenericArguments()[0])
            .CreateDelegate(typeof(Func<string, GrainId, IGrainStorage, object>));
        return (services, grainId) =>
        {
            var storage = services.GetKeyedService<IGrainStorage>(attribute.StorageName)
                ?? throw new InvalidOperationException(
                    $"{ClassType.FullName} uses storage '{attribute.StorageName}', which is not registered on this silo.");
            var state = create(attribute.StateName, grainId, storage);
            return (state, (IStateLoader)state);
        };
    }

    private static object CreateState<TState>(string name, GrainId grainId, IGrainStorage storage) where TState : new() =>
        new PersistentState<TState>(name, grainId, storage);
}

/// <summary>Lets the activation read a persistent state before <c>OnActivateAsync</c>.</summary>
internal interface IStateLoader
{
    Task ReadStateAsync(CancellationToken cancellationToken = default);
}
