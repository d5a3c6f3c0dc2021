using FleaMarket.Persistence.Journals;

namespace FleaMarket.Persistence.Tests.Journals;

public sealed class InMemoryJournalStorageTests : JournalStorageConformanceTests
{
    private protected override IJournalStorage CreateJournal(string serviceId) => InMemoryJournalStorage.ForService(serviceId);

    [Fact]
    public async Task ForService_SameServiceId_SharesTheJournalsLikeSilosOfOneCluster()
    {
        var serviceId = Guid.NewGuid().ToString("N");
        var stream = NewStream();
        await InMemoryJournalStorage.ForService(serviceId).AppendAsync("orders", stream, 0, NewOrders(1, 2));
        Assert.Equal(2, await InMemoryJournalStorage.ForService(serviceId).GetLengthAsync("orders", stream));
    }
}
