namespace FleaMarket.Runtime;

/// <summary>
/// The identity of a grain: its type name and its key, both strings on the wire.
/// Guid keys are stored in "N" format and integer keys in invariant decimal, so an id
/// reads the same in every process.
/// </summary>
public readonly record struct GrainId(string Type, string Key)
{
    /// <summary>Grain type used for the silo's own control endpoint (pings, view exchange, hand-off).</summary>
    internal const string SystemTargetType = "$silo";

    internal static GrainId SystemTarget { get; } = new(SystemTargetType, "");

    internal bool IsSystemTarget => Type == SystemTargetType;

    /// <summary>Creates an id for a string-keyed grain.</summary>
    public static GrainId FromString(string type, string key) => new(type, key);

    /// <summary>Creates an id for a Guid-keyed grain.</summary>
    public static GrainId FromGuid(string type, Guid key) => new(type, key.ToString("N"));

    /// <summary>Creates an id for an integer-keyed grain.</summary>
    public static GrainId FromInt64(string type, long key) =>
        new(type, key.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <inheritdoc />
    public override string ToString() => $"{Type}/{Key}";
}
