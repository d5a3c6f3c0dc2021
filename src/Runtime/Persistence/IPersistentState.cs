namespace FleaMarket.Runtime.Persistence;

/// <summary>The stored state of a grain as storage providers see it.</summary>
public interface IGrainState<TState>
{
    /// <summary>The state value.</summary>
    TState State { get; set; }

    /// <summary>Version token of the stored record; null before the first write.</summary>
    string? ETag { get; set; }

    /// <summary>Whether a record exists in storage.</summary>
    bool RecordExists { get; set; }
}

/// <summary>
/// A grain's persistent state, injected into its constructor with <see cref="PersistentStateAttribute"/>.
/// Read before <c>OnActivateAsync</c>; written only when the grain calls <see cref="WriteStateAsync"/>.
/// </summary>
public interface IPersistentState<TState> : IGrainState<TState>
{
    /// <summary>Re-reads the stored state.</summary>
    Task ReadStateAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the state if the stored ETag is still the one last read or written; otherwise throws
    /// <see cref="InconsistentStateException"/> and the runtime drops the activation.
    /// </summary>
    Task WriteStateAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes the stored record (with the same ETag check) and resets the state to a new value.</summary>
    Task ClearStateAsync(CancellationToken cancellationToken = default);
}

/// <summary>Marks a grain constructor parameter of type <see cref="IPersistentState{TState}"/>.</summary>
/// <param name="stateName">Name of this state within the grain (a grain may have several).</param>
/// <param name="storageName">Registered storage provider; default "Default".</param>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class PersistentStateAttribute(string stateName, string? storageName = null) : Attribute
{
    /// <summary>Name of this state within the grain.</summary>
    public string StateName { get; } = stateName;

    /// <summary>Registered storage provider name.</summary>
    public string StorageName { get; } = storageName ?? GrainStorage.DefaultName;
}
