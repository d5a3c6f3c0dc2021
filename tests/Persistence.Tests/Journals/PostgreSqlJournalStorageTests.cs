using FleaMarket.Persistence.Journals;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Storage;

namespace FleaMarket.Persistence.Tests.Journals;

[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlJournalStorageTests(PostgreSqlFixture fixture) : JournalStorageConformanceTests, IAsyncLifetime
{
    private readonly List<PostgreSqlJournalStorage> _opened = [];

    private protected override IJournalStorage CreateJournal(string serviceId)
    {
        var journal = new PostgreSqlJournalStorage(fixture.ConnectionString, serviceId);
        _opened.Add(journal);
        return journal;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var journal in _opened) await journal.DisposeAsync();
    }

    [Fact]
    public async Task AppendAsync_ManyStreamsConcurrently_AllSucceedSharingTransactions()
    {
        var serviceId = NewServiceId();
        var journal = CreateJournal(serviceId);
        var streams = Enumerable.Range(0, 300).Select(_ => NewStream()).ToList();

        var lengths = await Task.WhenAll(streams.Select(s => journal.AppendAsync("orders", s, 0, NewOrders(1, 2))));

        Assert.All(lengths, l => Assert.Equal(2, l));
        foreach (var stream in streams.Take(20)) Assert.Equal(NewOrders(1, 2), (await journal.ReadAsync<OrderPlaced>("orders", stream, 0, 10)).Select(e => e.Event));
        // Rows written by one transaction share its xmin: fewer transactions than appends is the group commit at work.
        var transactions = await ScalarAsync("SELECT count(DISTINCT xmin::text) FROM journal_entry WHERE service_id = $1", serviceId);
        Assert.Equal(600L, await ScalarAsync("SELECT count(*) FROM journal_entry WHERE service_id = $1", serviceId));
        Assert.InRange(transactions, 1, 299);
    }

    [Fact]
    public async Task AppendAsync_CompareAndSwapRaceAmongManyStreams_OnlyTheLoserFails()
    {
        var journal = CreateJournal(NewServiceId());
        var contested = NewStream();
        await journal.AppendAsync("orders", contested, 0, NewOrders(1, 1));
        var bystanders = Enumerable.Range(0, 100).Select(_ => NewStream()).ToList();

        var contenders = new[] { "a", "b" }.Select(async writer =>
        {
            try
            {
                await journal.AppendAsync("orders", contested, 1, NewOrders(2, 2, writer));
                return true;
            }
            catch (InconsistentStateException)
            {
                return false;
            }
        }).ToList();
        var others = bystanders.Select(s => journal.AppendAsync("orders", s, 0, NewOrders(1, 1))).ToList();

        Assert.Single(await Task.WhenAll(contenders), won => won);
        Assert.All(await Task.WhenAll(others), l => Assert.Equal(1, l));
        Assert.Equal(3, await journal.GetLengthAsync("orders", contested));
    }

    [Fact]
    public async Task AppendAsync_DuplicatePositionInASharedBatch_FailsOnlyThatAppend()
    {
        // A stream whose length row was lost while its events stayed: appending at 0 collides with position 1. The
        // error aborts the shared transaction; the batch is re-run append by append so only this one fails.
        var serviceId = NewServiceId();
        var journal = CreateJournal(serviceId);
        var damaged = NewStream();
        await journal.AppendAsync("orders", damaged, 0, NewOrders(1, 2));
        await ScalarAsync("WITH d AS (DELETE FROM journal_stream WHERE service_id = $1 RETURNING 1) SELECT count(*) FROM d", serviceId);

        var healthy = Enumerable.Range(0, 50).Select(_ => NewStream()).ToList();
        var appends = healthy.Select(s => journal.AppendAsync("orders", s, 0, NewOrders(1, 1))).ToList();
        var collision = journal.AppendAsync("orders", damaged, 0, NewOrders(3, 1));

        await Assert.ThrowsAsync<InconsistentStateException>(() => collision);
        Assert.All(await Task.WhenAll(appends), l => Assert.Equal(1, l));
        Assert.Equal(NewOrders(1, 2), (await journal.ReadAsync<OrderPlaced>("orders", damaged, 0, 10)).Select(e => e.Event));
    }

    [Fact]
    public async Task DisposeAsync_WithAppendsQueued_CommitsThemThenRefusesNewOnes()
    {
        var serviceId = NewServiceId();
        var journal = new PostgreSqlJournalStorage(fixture.ConnectionString, serviceId);
        var streams = Enumerable.Range(0, 100).Select(_ => NewStream()).ToList();
        var appends = streams.Select(s => journal.AppendAsync("orders", s, 0, NewOrders(1, 1))).ToList();

        await journal.DisposeAsync();

        Assert.All(await Task.WhenAll(appends), l => Assert.Equal(1, l));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => journal.AppendAsync("orders", NewStream(), 0, NewOrders(1, 1)));
        Assert.Equal(100L, await ScalarAsync("SELECT count(*) FROM journal_entry WHERE service_id = $1", serviceId));
    }

    [Fact]
    public async Task AddPostgreSqlJournal_ResolvedFromTheContainer_AppendsUnderTheConfiguredServiceIdAndDrainsOnDispose()
    {
        var serviceId = NewServiceId();
        var provider = new ServiceCollection().AddLogging()
            .AddPostgreSqlJournal(o =>
            {
                o.ConnectionString = fixture.ConnectionString;
                o.ServiceId = serviceId;
            })
            .BuildServiceProvider();
        var journal = provider.GetRequiredService<IJournalStorage>();
        var appends = Enumerable.Range(0, 50).Select(_ => journal.AppendAsync("orders", NewStream(), 0, NewOrders(1, 1))).ToList();

        await provider.DisposeAsync();

        Assert.All(await Task.WhenAll(appends), l => Assert.Equal(1, l));
        Assert.Equal(50L, await ScalarAsync("SELECT count(*) FROM journal_stream WHERE service_id = $1", serviceId));
    }

    [Fact]
    public async Task Sessions_ConnectionStringWithoutTheSetting_EndIdleTransactionsAfterFiveSeconds()
    {
        await using var database = new PostgreSqlDatabase(fixture.ConnectionString);
        await using var connection = await database.DataSource.OpenConnectionAsync();

        Assert.Equal("5s", await new NpgsqlCommand("SHOW idle_in_transaction_session_timeout", connection).ExecuteScalarAsync());
    }

    [Fact]
    public async Task AppendAsync_StuckInTheServerPastTheCommandTimeout_FailsAsUnavailableAndTheNextAppendWrites()
    {
        // Another session holds the stream's length row: the append waits in PostgreSQL as it would on a dead link.
        var serviceId = NewServiceId();
        var stream = NewStream();
        var connectionString = new NpgsqlConnectionStringBuilder(fixture.ConnectionString) { CommandTimeout = 1 }.ConnectionString;
        await using var journal = new PostgreSqlJournalStorage(connectionString, serviceId);
        await journal.AppendAsync("orders", stream, 0, NewOrders(1, 1));
        await using var holder = new NpgsqlConnection(fixture.ConnectionString);
        await holder.OpenAsync();
        await using (var hold = await holder.BeginTransactionAsync())
        {
            await using var lockRow = new NpgsqlCommand("SELECT length FROM journal_stream WHERE service_id = $1 AND stream_id = $2 FOR UPDATE", holder, hold);
            lockRow.Parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
            lockRow.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stream });
            await lockRow.ExecuteScalarAsync();

            var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => journal.AppendAsync("orders", stream, 1, NewOrders(2, 1)).WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("not acknowledged", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(2, await journal.AppendAsync("orders", stream, 1, NewOrders(2, 1)));
    }

    [Theory]
    [InlineData("", 5, 32)]
    [InlineData("Command Timeout=12", 12, 32)]
    [InlineData("CommandTimeout=0;Max Auto Prepare=0", 0, 0)]
    [InlineData("MaxAutoPrepare=5", 5, 5)]
    public void Journal_CommandTimeoutAndAutoPrepare_DefaultsUnlessTheConnectionStringSetsThem(string setting, int timeout, int autoPrepare)
    {
        var connectionString = fixture.ConnectionString + (setting.Length > 0 ? ";" + setting : "");

        var journal = new NpgsqlConnectionStringBuilder(PostgreSqlDatabase.WithJournalDefaults(connectionString));

        Assert.Equal(timeout, journal.CommandTimeout);
        Assert.Equal(autoPrepare, journal.MaxAutoPrepare);
    }

    [Theory]
    [InlineData("-c idle_in_transaction_session_timeout=60000", "1min")]
    [InlineData("-c statement_timeout=7000", "5s")]
    public async Task Sessions_ConnectionStringWithOptions_KeepThemAndTheirOwnTimeout(string options, string expected)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(fixture.ConnectionString) { Options = options }.ConnectionString;
        await using var database = new PostgreSqlDatabase(connectionString);
        await using var connection = await database.DataSource.OpenConnectionAsync();

        Assert.Equal(expected, await new NpgsqlCommand("SHOW idle_in_transaction_session_timeout", connection).ExecuteScalarAsync());
        if (options.Contains("statement_timeout", StringComparison.Ordinal))
        {
            Assert.Equal("7s", await new NpgsqlCommand("SHOW statement_timeout", connection).ExecuteScalarAsync());
        }
    }

    [Fact]
    public async Task AppendAsync_StoresTheEventAsUtf8Json()
    {
        var serviceId = NewServiceId();
        var stream = NewStream();
        await CreateJournal(serviceId).AppendAsync("orders", stream, 0, NewOrders(7, 1));
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT convert_from(payload, 'UTF8')::json ->> 'OrderId' FROM journal_entry WHERE service_id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
        Assert.Equal("o7", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Schema_AppliedAgain_ChangesNothing()
    {
        var journal = CreateJournal(NewServiceId());
        var stream = NewStream();
        await journal.AppendAsync("orders", stream, 0, NewOrders(1, 2));
        await TestSchema.ApplyPostgreSqlAsync(fixture.ConnectionString, "200_journal.sql", "210_journal_tags.sql");
        Assert.Equal(2, await journal.GetLengthAsync("orders", stream));
    }

    private static string NewServiceId() => "svc-" + Guid.NewGuid().ToString("N");

    private async Task<long> ScalarAsync(string sql, string serviceId)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
