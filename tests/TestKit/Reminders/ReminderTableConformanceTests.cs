using FleaMarket.Runtime;
using FleaMarket.Runtime.Reminders;

namespace FleaMarket.TestKit.Reminders;

/// <summary>
/// What every reminder table must do. Derive once per engine. Each test uses fresh service ids, so an engine
/// may share one database between tests as long as tables of different service ids do not see each other.
/// </summary>
public abstract class ReminderTableConformanceTests
{
    private static readonly DateTimeOffset s_due = new(2026, 3, 1, 9, 30, 0, TimeSpan.Zero);

    /// <summary>A table for <paramref name="serviceId"/>; two calls with the same id see the same reminders.</summary>
    protected abstract Task<IReminderTable> CreateTableAsync(string serviceId);

    private Task<IReminderTable> NewTableAsync() => CreateTableAsync($"svc-{Guid.NewGuid():N}");

    private static GrainId NewGrain() => GrainId.FromString("reminder-conformance", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task ReadAll_NewService_IsEmpty()
    {
        var table = await NewTableAsync();
        Assert.Empty(await table.ReadAllAsync());
    }

    [Fact]
    public async Task Upsert_ThenReadAll_ReturnsEveryField()
    {
        var table = await NewTableAsync();
        var entry = new ReminderEntry(NewGrain(), "open-market", s_due, TimeSpan.FromMinutes(5));
        await table.UpsertAsync(entry);
        Assert.Equal(entry, Assert.Single(await table.ReadAllAsync()));
    }

    [Fact]
    public async Task Upsert_SameGrainAndName_ReplacesEntry()
    {
        var table = await NewTableAsync();
        var grain = NewGrain();
        await table.UpsertAsync(new ReminderEntry(grain, "tick", s_due, TimeSpan.FromMinutes(1)));
        var replacement = new ReminderEntry(grain, "tick", s_due.AddHours(1), TimeSpan.FromHours(2));
        await table.UpsertAsync(replacement);
        Assert.Equal(replacement, Assert.Single(await table.ReadAllAsync()));
    }

    [Fact]
    public async Task Upsert_SameNameOnTwoGrainsAndTwoNamesOnOneGrain_AreSeparateEntries()
    {
        var table = await NewTableAsync();
        var (a, b) = (NewGrain(), NewGrain());
        ReminderEntry[] entries =
        [
            new(a, "tick", s_due, TimeSpan.FromMinutes(1)),
            new(b, "tick", s_due, TimeSpan.FromMinutes(2)),
            new(a, "tock", s_due, TimeSpan.FromMinutes(3)),
        ];
        foreach (var entry in entries) await table.UpsertAsync(entry);
        Assert.Equal(entries.OrderBy(e => e.Period), (await table.ReadAllAsync()).OrderBy(e => e.Period));
    }

    [Fact]
    public async Task Remove_Existing_ReturnsTrueAndOnlyThatEntryGoes()
    {
        var table = await NewTableAsync();
        var grain = NewGrain();
        var kept = new ReminderEntry(grain, "keep", s_due, TimeSpan.FromMinutes(1));
        await table.UpsertAsync(kept);
        await table.UpsertAsync(new ReminderEntry(grain, "drop", s_due, TimeSpan.FromMinutes(1)));

        Assert.True(await table.RemoveAsync(grain, "drop"));
        Assert.Equal(kept, Assert.Single(await table.ReadAllAsync()));
    }

    [Fact]
    public async Task Remove_Missing_ReturnsFalse()
    {
        var table = await NewTableAsync();
        Assert.False(await table.RemoveAsync(NewGrain(), "never"));
    }

    [Fact]
    public async Task Tables_OfDifferentServices_DoNotSeeEachOther()
    {
        var serviceA = $"svc-{Guid.NewGuid():N}";
        var a = await CreateTableAsync(serviceA);
        var b = await NewTableAsync();
        var grain = NewGrain();
        var entry = new ReminderEntry(grain, "tick", s_due, TimeSpan.FromMinutes(1));
        await a.UpsertAsync(entry);

        Assert.Empty(await b.ReadAllAsync());
        Assert.False(await b.RemoveAsync(grain, "tick"));
        Assert.Equal(entry, Assert.Single(await (await CreateTableAsync(serviceA)).ReadAllAsync()));
    }

    [Fact]
    public async Task TryClaimTick_EachDueTimeOnce_OnlyForwardAndOnlyForExistingReminders()
    {
        var table = await NewTableAsync();
        var grain = NewGrain();
        Assert.False(await table.TryClaimTickAsync(grain, "tick", s_due));
        await table.UpsertAsync(new ReminderEntry(grain, "tick", s_due, TimeSpan.FromMinutes(1)));

        Assert.True(await table.TryClaimTickAsync(grain, "tick", s_due));
        Assert.False(await table.TryClaimTickAsync(grain, "tick", s_due));
        Assert.True(await table.TryClaimTickAsync(grain, "tick", s_due.AddMinutes(1)));
        Assert.False(await table.TryClaimTickAsync(grain, "tick", s_due));
    }

    [Fact]
    public async Task TryClaimTick_AfterReRegistration_ClaimsStartOver()
    {
        var table = await NewTableAsync();
        var entry = new ReminderEntry(NewGrain(), "tick", s_due, TimeSpan.FromMinutes(1));
        await table.UpsertAsync(entry);
        Assert.True(await table.TryClaimTickAsync(entry.GrainId, "tick", s_due.AddMinutes(5)));

        await table.UpsertAsync(entry);
        Assert.True(await table.TryClaimTickAsync(entry.GrainId, "tick", s_due));
    }

    [Fact]
    public async Task TryClaimTick_TwentyConcurrentClaimants_ExactlyOneWinsEachTick()
    {
        var table = await NewTableAsync();
        var entry = new ReminderEntry(NewGrain(), "tick", s_due, TimeSpan.FromMinutes(1));
        await table.UpsertAsync(entry);
        for (var tick = 0; tick < 5; tick++)
        {
            var due = s_due.AddMinutes(tick);
            var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => table.TryClaimTickAsync(entry.GrainId, "tick", due))));
            Assert.Single(outcomes, won => won);
        }
    }
}
