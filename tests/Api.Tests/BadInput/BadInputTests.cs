using FleaMarket.Api.Tests.Contract;

namespace FleaMarket.Api.Tests.BadInput;

// One class per part of the table, each with its own cluster, so the parts run in parallel.

/// <summary>Bad bodies at POST /api/users and POST /api/sessions.</summary>
public sealed class UsersBadInputTests(ApiClusterFixture fixture) : IClassFixture<ApiClusterFixture>
{
    public static TheoryData<string> Rows => BadInputTable.Names(r => r.Group == Endpoints.Register.Name || r.Group == Endpoints.Login.Name);

    [Theory]
    [MemberData(nameof(Rows))]
    public Task Request_BadBody_Returns4xxProblemAndChangesNothing(string row) => BadInputTable.Get(row).RunAsync(fixture.NewClient());
}

/// <summary>Bad bodies at POST /api/markets and POST /api/markets/{marketId}/listings.</summary>
public sealed class MarketsBadInputTests(ApiClusterFixture fixture) : IClassFixture<ApiClusterFixture>
{
    public static TheoryData<string> Rows => BadInputTable.Names(r => r.Group == Endpoints.CreateMarket.Name || r.Group == Endpoints.AddListing.Name);

    [Theory]
    [MemberData(nameof(Rows))]
    public Task Request_BadBody_Returns4xxProblemAndChangesNothing(string row) => BadInputTable.Get(row).RunAsync(fixture.NewClient());
}

/// <summary>Bad bodies at POST /api/listings/{listingId}/purchases.</summary>
public sealed class PurchaseBadInputTests(ApiClusterFixture fixture) : IClassFixture<ApiClusterFixture>
{
    public static TheoryData<string> Rows => BadInputTable.Names(r => r.Group == Endpoints.Purchase.Name);

    [Theory]
    [MemberData(nameof(Rows))]
    public Task Request_BadBody_Returns4xxProblemAndChangesNothing(string row) => BadInputTable.Get(row).RunAsync(fixture.NewClient());
}

/// <summary>Missing, spoiled and duplicated headers at every authenticated route.</summary>
public sealed class HeadersBadInputTests(ApiClusterFixture fixture) : IClassFixture<ApiClusterFixture>
{
    public static TheoryData<string> Rows => BadInputTable.Names(r => r.Group == HeaderCases.Group);

    [Theory]
    [MemberData(nameof(Rows))]
    public Task Request_BadHeaders_Returns4xxProblemAndChangesNothing(string row) => BadInputTable.Get(row).RunAsync(fixture.NewClient());
}

/// <summary>Malformed and unknown route ids at every route with an id.</summary>
public sealed class RoutesBadInputTests(ApiClusterFixture fixture) : IClassFixture<ApiClusterFixture>
{
    public static TheoryData<string> Rows => BadInputTable.Names(r => r.Group == RouteCases.Group);

    [Theory]
    [MemberData(nameof(Rows))]
    public Task Request_BadRouteId_Returns404ProblemAndChangesNothing(string row) => BadInputTable.Get(row).RunAsync(fixture.NewClient());
}

/// <summary>Bodies over 64 KiB at every route.</summary>
public sealed class OversizedBodyBadInputTests(ApiClusterFixture fixture) : IClassFixture<ApiClusterFixture>
{
    public static TheoryData<string> Rows => BadInputTable.Names(r => r.Group == OversizedBodyCases.Group);

    [Theory]
    [MemberData(nameof(Rows))]
    public Task Request_BodyOver64KiB_Returns413ProblemAndChangesNothing(string row) => BadInputTable.Get(row).RunAsync(fixture.NewClient());
}
