using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace FleaMarket.Persistence.Tests.Schema;

/// <summary>
/// Orleans' ADO.NET grain storage on our PostgreSQL schema, applied by the silo hook on an empty database: a wrong
/// table, query key, parameter or column name fails these.
/// </summary>
[Collection(PostgreSqlSchemaCollection.Name)]
public sealed class PostgreSqlGrainStorageTests(PostgreSqlServerFixture postgres)
{
    [Fact]
    public async Task GrainState_WrittenThenReactivated_IsReadBack()
    {
        await using var cluster = await PostgreSqlTestSilo.StartAsync(await postgres.CreateDatabaseAsync());
        var grain = cluster.Client.GetGrain<ICounterGrain>(Guid.NewGuid().ToString("N"));

        var written = await grain.AddAsync(5);
        await cluster.DeactivateAsync(grain);
        var read = await grain.ReadAsync();

        Assert.NotEqual(written.Activation, read.Activation);
        Assert.Equal(5, read.Value);
        Assert.Equal(written.ETag, read.ETag);
        Assert.True(read.RecordExists);
    }

    [Fact]
    public async Task GrainState_ClearedThenReactivated_StartsFromDefaultAndWritesAgain()
    {
        await using var cluster = await PostgreSqlTestSilo.StartAsync(await postgres.CreateDatabaseAsync());
        var grain = cluster.Client.GetGrain<ICounterGrain>(Guid.NewGuid().ToString("N"));
        await grain.AddAsync(5);

        await grain.ClearAsync();
        await cluster.DeactivateAsync(grain);
        var cleared = await grain.ReadAsync();
        var rewritten = await grain.AddAsync(2);

        Assert.Equal(0, cleared.Value);
        Assert.False(cleared.RecordExists);
        Assert.Equal(2, rewritten.Value);
    }

    [Fact]
    public async Task GrainState_WrittenElsewhereSinceRead_GrainWriteThrowsInconsistentState()
    {
        await using var cluster = await PostgreSqlTestSilo.StartAsync(await postgres.CreateDatabaseAsync());
        var grain = cluster.Client.GetGrain<ICounterGrain>(Guid.NewGuid().ToString("N"));
        await grain.AddAsync(1);

        // Another writer of the same record (a duplicate activation, say) moves the ETag on.
        var storage = cluster.GetSiloServiceProvider().GetRequiredKeyedService<IGrainStorage>(SchemaTestStorage.Name);
        var other = new GrainState<CounterState>();
        await storage.ReadStateAsync(SchemaTestStorage.StateName, grain.GetGrainId(), other);
        other.State = new CounterState { Value = 100 };
        await storage.WriteStateAsync(SchemaTestStorage.StateName, grain.GetGrainId(), other);

        await Assert.ThrowsAsync<InconsistentStateException>(() => grain.AddAsync(1));
        // Orleans deactivates the activation that hit the conflict; the next one reads the other writer's state.
        Assert.Equal(101, (await grain.AddAsync(1)).Value);
    }

    [Fact]
    public async Task GrainStorage_EveryKeyKind_WritesReadsDetectsConflictsAndClears()
    {
        await using var cluster = await PostgreSqlTestSilo.StartAsync(await postgres.CreateDatabaseAsync());
        var storage = cluster.GetSiloServiceProvider().GetRequiredKeyedService<IGrainStorage>(SchemaTestStorage.Name);

        foreach (var keyKind in GrainStorageChecks.KeyKinds)
        {
            await GrainStorageChecks.WriteReadConflictClearAsync(storage, GrainStorageChecks.NewGrainId(keyKind));
        }
    }
}
