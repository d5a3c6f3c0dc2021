using FleaMarket.Persistence.Schema;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace FleaMarket.Persistence.Tests.Schema;

/// <summary>Orleans' ADO.NET storage provider on our SQLite schema, applied by the silo hook on a new file.</summary>
public sealed class SqliteOrleansStorageTests : IDisposable
{
    // Orleans maps this invariant to Microsoft.Data.Sqlite's SqliteFactory; "Microsoft.Data.Sqlite" is unknown to it.
    private const string Invariant = "System.Data.SQLite";
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task GrainState_WrittenThenReactivated_IsReadBack()
    {
        await using var cluster = await StartSiloAsync();
        var grain = cluster.Client.GetGrain<ICounterGrain>(Guid.NewGuid().ToString("N"));

        var written = await grain.AddAsync(5);
        await cluster.DeactivateAsync(grain);
        var read = await grain.ReadAsync();

        Assert.NotEqual(written.Activation, read.Activation);
        Assert.Equal(5, read.Value);
        Assert.Equal(written.ETag, read.ETag);
    }

    [Fact]
    public async Task GrainState_WrittenElsewhereSinceRead_GrainWriteThrowsInconsistentState()
    {
        await using var cluster = await StartSiloAsync();
        var grain = cluster.Client.GetGrain<ICounterGrain>(Guid.NewGuid().ToString("N"));
        await grain.AddAsync(1);

        var storage = cluster.GetSiloServiceProvider().GetRequiredKeyedService<IGrainStorage>(SchemaTestStorage.Name);
        var other = new GrainState<CounterState>();
        await storage.ReadStateAsync(SchemaTestStorage.StateName, grain.GetGrainId(), other);
        other.State = new CounterState { Value = 100 };
        await storage.WriteStateAsync(SchemaTestStorage.StateName, grain.GetGrainId(), other);

        await Assert.ThrowsAsync<InconsistentStateException>(() => grain.AddAsync(1));
        Assert.Equal(101, (await grain.AddAsync(1)).Value);
    }

    [Fact]
    public async Task GrainStorage_EveryKeyKind_WritesReadsDetectsConflictsAndClears()
    {
        await using var cluster = await StartSiloAsync();
        var storage = cluster.GetSiloServiceProvider().GetRequiredKeyedService<IGrainStorage>(SchemaTestStorage.Name);

        foreach (var keyKind in GrainStorageChecks.KeyKinds)
        {
            await GrainStorageChecks.WriteReadConflictClearAsync(storage, GrainStorageChecks.NewGrainId(keyKind));
        }
    }

    private Task<InProcessTestCluster> StartSiloAsync()
    {
        var connectionString = _directory.SqliteConnectionString("silo/fleamarket.db");
        return SchemaTestCluster.StartAsync(silo =>
        {
            silo.AddDatabaseSchema(DatabaseEngine.Sqlite, connectionString);
            silo.AddAdoNetGrainStorage(SchemaTestStorage.Name, options =>
            {
                options.Invariant = Invariant;
                options.ConnectionString = connectionString;
            });
        });
    }
}
