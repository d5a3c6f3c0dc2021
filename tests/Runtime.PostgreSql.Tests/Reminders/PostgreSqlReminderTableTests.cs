using System.Collections.Concurrent;
using FleaMarket.Runtime.PostgreSql.Reminders;
using FleaMarket.Runtime.Reminders;
using FleaMarket.TestKit.Reminders;

namespace FleaMarket.Runtime.PostgreSql.Tests.Reminders;

[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlReminderTableTests(PostgreSqlFixture fixture) : ReminderTableConformanceTests
{
    protected override Task<IReminderTable> CreateTableAsync(string serviceId) =>
        Task.FromResult<IReminderTable>(new PostgreSqlReminderTable(fixture.Database, serviceId));
}

/// <summary>The in-memory table keeps no service id: one instance is one service.</summary>
public sealed class InMemoryReminderTableTests : ReminderTableConformanceTests
{
    private readonly ConcurrentDictionary<string, InMemoryReminderTable> _services = new();

    protected override Task<IReminderTable> CreateTableAsync(string serviceId) =>
        Task.FromResult<IReminderTable>(_services.GetOrAdd(serviceId, _ => new InMemoryReminderTable()));
}
