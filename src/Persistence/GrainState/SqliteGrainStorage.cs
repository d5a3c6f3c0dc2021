using FleaMarket.Persistence.Sqlite;
using Orleans.Runtime;
using Orleans.Storage;

namespace FleaMarket.Persistence.GrainState;

/// <summary>
/// Orleans' ADO.NET grain storage on SQLite, with its writes taken one at a time through the file's write lock
/// (shared with the journal and the reminder table). SQLite admits one writer at a time; measured with 64
/// concurrent grains, letting Orleans' connections race for it gave 121 writes/s with a p99 of 6.9 s, because a
/// writer that finds the file busy sleeps 150 ms before it tries again. Reads go straight through (WAL).
/// </summary>
internal sealed class SqliteGrainStorage(IGrainStorage adoNet, SqliteDatabase database) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        adoNet.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        database.ExclusiveAsync(() => adoNet.WriteStateAsync(stateName, grainId, grainState));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        database.ExclusiveAsync(() => adoNet.ClearStateAsync(stateName, grainId, grainState));
}
