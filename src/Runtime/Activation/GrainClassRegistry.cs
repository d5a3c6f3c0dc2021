using System.Collections.Frozen;
using System.Reflection;
using FleaMarket.Runtime.Invocation;
using FleaMarket.Runtime.Reminders;

namespace FleaMarket.Runtime.Activation;

/// <summary>The grain classes a silo can activate, by grain type name.</summary>
internal sealed class GrainClassRegistry
{
    private static readonly Type[] KeyMarkers = [typeof(IGrain), typeof(IGrainWithStringKey), typeof(IGrainWithGuidKey), typeof(IGrainWithIntegerKey), typeof(IRemindable)];
    private readonly FrozenDictionary<string, GrainClassInfo> _byType;

    public GrainClassRegistry(IEnumerable<Type> grainClasses)
    {
        var classes = new Dictionary<string, GrainClassInfo>(StringComparer.Ordinal);
        foreach (var type in grainClasses.Distinct())
        {
            var info = Describe(type);
            if (classes.TryGetValue(info.GrainType, out var other))
            {
                throw new InvalidOperationException(
                    $"Grain classes {other.ClassType.FullName} and {type.FullName} both claim grain type '{info.GrainType}'.");
            }

            classes.Add(info.GrainType, info);
        }

        _byType = classes.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public IEnumerable<GrainClassInfo> All => _byType.Values;

    public GrainClassInfo? Find(string grainType) => _byType.GetValueOrDefault(grainType);

    /// <summary>Concrete grain classes of an assembly.</summary>
    public static IEnumerable<Type> GrainClassesIn(Assembly assembly) =>
        assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false } && typeof(Grain).IsAssignableFrom(t) && !t.ContainsGenericParameters);

    private static GrainClassInfo Describe(Type type)
    {
        if (!typeof(Grain).IsAssignableFrom(type) || type.IsAbstract)
        {
            throw new ArgumentException($"{type.FullName} is not a concrete grain class (derived from Grain).", nameof(type));
        }

        var interfaces = type.GetInterfaces().Where(i => typeof(IGrain).IsAssignableFrom(i)).Select(GrainInterfaceCatalog.Get).ToList();
        var names = interfaces.Where(i => !KeyMarkers.Contains(i.Type)).Select(i => i.GrainType).Distinct().ToList();
        return names.Count switch
        {
            1 => new GrainClassInfo(type, names[0], interfaces),
            0 => throw new InvalidOperationException($"Grain class {type.FullName} implements no grain interface."),
            _ => throw new InvalidOperationException(
                $"Grain class {type.FullName} implements grain interfaces with different grain types ({string.Join(", ", names)}); give them one [GrainType] name."),
        };
    }
}
