using System.Net;
using FleaMarket.Api.Tests.Contract;

namespace FleaMarket.Api.Tests.BadInput;

/// <summary>One row of the bad-input table: a request spoiled in one way, and the 4xx problem it must get.</summary>
internal sealed record BadRequest(string Group, string Name, Func<World, HttpRequestMessage> Build, HttpStatusCode Status, string Code)
{
    public static BadRequest Validation(Endpoint endpoint, string what, Func<World, HttpRequestMessage> build) =>
        new(endpoint.Name, $"{endpoint.Name}: {what}", build, HttpStatusCode.BadRequest, "validation");

    /// <summary>
    /// Sends the request against fresh state and asserts: a 4xx problem with the expected contract code, nothing
    /// changed (stock, markets, listings, orders, sessions), and no user was registered.
    /// </summary>
    public async Task RunAsync(HttpClient http)
    {
        var world = await World.CreateAsync(http);
        var before = await world.SnapshotAsync();

        var response = await http.SendAsync(Build(world));

        Assert.True((int)response.StatusCode is >= 400 and < 500,
            $"{Name}: expected a 4xx, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        await ApiAssert.ProblemAsync(response, Status, Code);
        Assert.Equal(before, await world.SnapshotAsync());
        await world.AssertFreshUsernameFreeAsync();
    }

    public override string ToString() => Name;
}

/// <summary>The whole table, by name, so theories can list rows by a serializable key.</summary>
internal static class BadInputTable
{
    private static readonly Lazy<Dictionary<string, BadRequest>> Rows = new(() =>
    {
        var rows = new Dictionary<string, BadRequest>(StringComparer.Ordinal);
        foreach (var row in BodyCases.All().Concat(HeaderCases.All()).Concat(RouteCases.All()).Concat(OversizedBodyCases.All()))
        {
            Assert.True(rows.TryAdd(row.Name, row), $"Duplicate row name '{row.Name}'.");
        }

        return rows;
    });

    public static BadRequest Get(string name) => Rows.Value[name];

    public static TheoryData<string> Names(Func<BadRequest, bool> filter)
    {
        var data = new TheoryData<string>();
        foreach (var row in Rows.Value.Values.Where(filter)) data.Add(row.Name);
        return data;
    }
}
