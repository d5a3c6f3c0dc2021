using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Reflection;

namespace FleaMarket.Runtime.Invocation;

/// <summary>
/// Every grain interface a process knows: its grain type name and its methods by id and by
/// <see cref="MethodInfo"/>. Built lazily per interface, shared process-wide (descriptors are immutable).
/// </summary>
internal static class GrainInterfaceCatalog
{
    private static readonly ConcurrentDictionary<Type, GrainInterfaceInfo> Interfaces = new();
    private static readonly ConcurrentDictionary<int, GrainMethod> MethodsById = new();

    public static GrainInterfaceInfo Get(Type interfaceType) => Interfaces.GetOrAdd(interfaceType, static t =>
    {
        var info = GrainInterfaceInfo.Create(t);
        foreach (var method in info.Methods)
        {
            var existing = MethodsById.GetOrAdd(method.Id, method);
            if (existing.Method != method.Method && existing.Name != method.Name)
            {
                throw new InvalidOperationException($"Grain methods {existing.Name} and {method.Name} hash to the same id; rename one.");
            }
        }

        return info;
    });

    /// <summary>The method with a wire id, if its interface has been registered in this process.</summary>
    public static GrainMethod? FindMethod(int id) => MethodsById.GetValueOrDefault(id);

    /// <summary>Grain type name of an interface: <see cref="GrainTypeAttribute"/>, or the name without "I" and "Grain", lower-cased.</summary>
    public static string TypeNameOf(Type interfaceType)
    {
        if (interfaceType.GetCustomAttribute<GrainTypeAttribute>() is { } attribute) return attribute.Name;
        var name = interfaceType.Name;
        if (name.Length > 1 && name[0] == 'I' && char.IsUpper(name[1])) name = name[1..];
        if (name.EndsWith("Grain", StringComparison.Ordinal) && name.Length > 5) name = name[..^5];
        return name.ToLowerInvariant();
    }
}

/// <summary>A grain interface: its type name and methods (its own and inherited grain interfaces').</summary>
internal sealed class GrainInterfaceInfo
{
    private GrainInterfaceInfo(Type type, string grainType, GrainMethod[] methods)
    {
        Type = type;
        GrainType = grainType;
        Methods = methods;
        ByMethodInfo = methods.ToFrozenDictionary(m => m.Method);
    }

    public Type Type { get; }

    public string GrainType { get; }

    public IReadOnlyList<GrainMethod> Methods { get; }

    public FrozenDictionary<MethodInfo, GrainMethod> ByMethodInfo { get; }

    public static GrainInterfaceInfo Create(Type type)
    {
        if (!type.IsInterface || !typeof(IGrain).IsAssignableFrom(type))
        {
            throw new ArgumentException($"{type.FullName} is not a grain interface (an interface deriving from IGrain).", nameof(type));
        }

        var methods = new[] { type }.Concat(type.GetInterfaces())
            .Where(i => typeof(IGrain).IsAssignableFrom(i) && i != typeof(IGrain))
            .SelectMany(i => i.GetMethods())
            .Select(GrainMethod.Create)
            .ToArray();
        return new GrainInterfaceInfo(type, GrainInterfaceCatalog.TypeNameOf(type), methods);
    }
}
