using FleaMarket.Runtime.Persistence;
using FleaMarket.TestKit.Persistence;

namespace FleaMarket.Runtime.Tests.Persistence;

public sealed class InMemoryGrainStorageTests : GrainStorageConformanceTests
{
    protected override Task<IGrainStorage> CreateStorageAsync(int maxStateBytes = 64 * 1024) =>
        Task.FromResult<IGrainStorage>(new InMemoryGrainStorage { MaxStateBytes = maxStateBytes });
}

public sealed class InMemoryJournalStorageTests : JournalStorageConformanceTests
{
    protected override Task<IJournalStorage> CreateJournalAsync() => Task.FromResult<IJournalStorage>(new InMemoryJournalStorage());
}
