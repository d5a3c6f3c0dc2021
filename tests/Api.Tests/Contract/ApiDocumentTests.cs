using System.Net;
using System.Text.RegularExpressions;

namespace FleaMarket.Api.Tests.Contract;

/// <summary>docs/api.md, the project's description of its HTTP API, against the OpenAPI document the API serves.</summary>
public sealed partial class ApiDocumentTests(ApiClusterFixture fixture) : IClassFixture<ApiClusterFixture>
{
    private readonly HttpClient _http = fixture.NewClient();

    [Fact]
    public async Task ApiDoc_Routes_MatchTheOpenApiDocumentBothWays()
    {
        var documented = DocumentedRoutes();
        Assert.NotEmpty(documented);
        var document = await ApiAssert.JsonAsync(await _http.GetAsync("/openapi/v1.json"), HttpStatusCode.OK);
        var served = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => $"{op.Name.ToUpperInvariant()} {path.Name}"))
            .ToHashSet(StringComparer.Ordinal);

        Assert.Empty(documented.Except(served));
        Assert.Empty(served.Except(documented));
    }

    /// <summary>Every "| METHOD /api/... |" row of the route tables in docs/api.md.</summary>
    private static HashSet<string> DocumentedRoutes()
    {
        var text = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "api.md"));
        return [.. RouteRow().Matches(text).Select(m => $"{m.Groups[1].Value} {m.Groups[2].Value}")];
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "FleaMarket.Orleans.sln"))) return directory.FullName;
        }

        throw new InvalidOperationException($"No FleaMarket.Orleans.sln above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"(?m)^\| (GET|POST|PUT|PATCH|DELETE) (/api/[^ |]*) \|")]
    private static partial Regex RouteRow();
}
