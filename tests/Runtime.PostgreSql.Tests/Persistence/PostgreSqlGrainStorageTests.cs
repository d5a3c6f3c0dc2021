using FleaMarket.Runtime.Persistence;
using FleaMarket.Runtime.PostgreSql.Persistence;
using FleaMarket.TestKit.Persistence;

namespace FleaMarket.Runtime.PostgreSql.Tests.Persistence;

[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlGrainStorageTests(PostgreSqlFixture fixture) : GrainStorageConformanceTests
{
    protected override Task<IGrainStorage> CreateStorageAsync(int maxStateBytes = 64 * 1024) =>
        Task.FromResult<IGrainStorage>(new PostgreSqlGrainStorage(fixture.Database, "conformance", maxStateBytes));

    [Fact]
    public async Task Write_ETagFromBeforeAClear_ThrowsEvenAfterTheRecordIsWrittenAgain()
    {
        var storage = await CreateStorageAsync();
        var grain = NewGrain();
        var old = new TestGrainState { State = new StoredValue { Value = 1 } };
        await storage.WriteStateAsync("counter", grain, old, CancellationToken.None);
        var cleared = new TestGrainState { ETag = old.ETag, RecordExists = true };
        await storage.ClearStateAsync("counter", grain, cleared, CancellationToken.None);
        await storage.WriteStateAsync("counter", grain, new TestGrainState { State = new StoredValue { Value = 2 } }, CancellationToken.None);

        // The new record must not reuse the ETag an activation may still hold from before the clear.
        old.State = new StoredValue { Value = 99 };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("counter", grain, old, CancellationToken.None));
        var read = new TestGrainState();
        await storage.ReadStateAsync("counter", grain, read, CancellationToken.None);
        Assert.Equal(2, read.State.Value);
    }

    [Fact]
    public async Task Write_ManyGrainsConcurrently_ShareTransactions()
    {
        // A storage of its own, so no other test's writes land in the counted window.
        var storage = new PostgreSqlGrainStorage(fixture.Database, "group-commit", 1024);
        var before = await CommittedTransactionsAsync();
        var states = Enumerable.Range(0, 400).Select(i => new TestGrainState { State = new StoredValue { Value = i } }).ToList();
        await Task.WhenAll(states.Select(state => storage.WriteStateAsync("counter", NewGrain(), state, CancellationToken.None)));
        var used = await CommittedTransactionsAsync() - before;

        Assert.All(states, s => Assert.NotNull(s.ETag));
        Assert.InRange(used, 2, 200);
    }

    /// <summary>The next transaction id: every transaction that writes takes one, so the difference counts write transactions.</summary>
    private async Task<long> CommittedTransactionsAsync()
    {
        await using var connection = await fixture.Database.OpenAsync(CancellationToken.None);
        await using var command = new Npgsql.NpgsqlCommand("SELECT pg_current_xact_id()::text::bigint", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Write_SameGrainInTwoServices_AreSeparateRecords()
    {
        var grain = NewGrain();
        var a = new PostgreSqlGrainStorage(fixture.Database, "service-a", 1024);
        var b = new PostgreSqlGrainStorage(fixture.Database, "service-b", 1024);
        await a.WriteStateAsync("counter", grain, new TestGrainState { State = new StoredValue { Value = 1 } }, CancellationToken.None);

        var read = new TestGrainState();
        await b.ReadStateAsync("counter", grain, read, CancellationToken.None);
        Assert.False(read.RecordExists);
        await b.WriteStateAsync("counter", grain, new TestGrainState { State = new StoredValue { Value = 2 } }, CancellationToken.None);
    }

    [Fact]
    public async Task Write_ETagNotIssuedByProvider_ThrowsInconsistentState()
    {
        var storage = await CreateStorageAsync();
        var grain = NewGrain();
        await storage.WriteStateAsync("counter", grain, new TestGrainState(), CancellationToken.None);
        await Assert.ThrowsAsync<InconsistentStateException>(() =>
            storage.WriteStateAsync("counter", grain, new TestGrainState { ETag = "W/\"abc\"", RecordExists = true }, CancellationToken.None));
    }
}
