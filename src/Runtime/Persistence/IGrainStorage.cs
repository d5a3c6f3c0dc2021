namespace FleaMarket.Runtime.Persistence;

/// <summary>
/// A storage engine for grain state: in-memory, SQLite, PostgreSQL. Rows are keyed by
/// (state name, grain type, grain key); ETags make every write a compare-and-swap.
/// </summary>
public interface IGrainStorage
{
    /// <summary>Loads the state; a missing record leaves a new state, ETag null and RecordExists false.</summary>
    Task ReadStateAsync<TState>(string stateName, GrainId grainId, IGrainState<TState> grainState, CancellationToken cancellationToken);

    /// <summary>
    /// Stores the state if the stored ETag equals <c>grainState.ETag</c> (null: no record may exist),
    /// then sets the new ETag. A mismatch throws <see cref="InconsistentStateException"/>.
    /// </summary>
    Task WriteStateAsync<TState>(string stateName, GrainId grainId, IGrainState<TState> grainState, CancellationToken cancellationToken);

    /// <summary>Deletes the record under the same ETag rule.</summary>
    Task ClearStateAsync<TState>(string stateName, GrainId grainId, IGrainState<TState> grainState, CancellationToken cancellationToken);
}

/// <summary>Names shared by storage registrations.</summary>
public static class GrainStorage
{
    /// <summary>The provider used when a <see cref="PersistentStateAttribute"/> names none.</summary>
    public const string DefaultName = "Default";
}
