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

    [Fact]
    public async Task OpenApiDocument_EveryRoute_ListsTheErrorsApiMdGivesItAndTheSharedOnes()
    {
        var document = await ApiAssert.JsonAsync(await _http.GetAsync("/openapi/v1.json"), HttpStatusCode.OK);
        var documented = DocumentedErrors();
        Assert.True(documented.Count >= 15 && documented.Sum(d => d.Errors.Length) >= 25, $"docs/api.md parsed into {documented.Count} routes only");
        var missing = new List<string>();
        foreach (var (route, errors) in documented)
        {
            var (method, path) = (route.Split(' ')[0].ToLowerInvariant(), route.Split(' ')[1]);
            var operation = document.GetProperty("paths").GetProperty(path).GetProperty(method);
            var listed = operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
            // Every route may answer 503 when the cluster cannot serve it.
            foreach (var status in errors.Append("503").Where(s => !listed.Contains(s))) missing.Add($"{route}: {status}");
            foreach (var status in errors)
            {
                var content = operation.GetProperty("responses").GetProperty(status).GetProperty("content");
                Assert.True(content.TryGetProperty("application/problem+json", out _), $"{route}: {status} is not problem+json");
            }
        }

        Assert.Empty(missing);
    }

    [Fact]
    public async Task OpenApiDocument_BearerSchemeAndIdempotencyKey_AreDeclared()
    {
        var document = await ApiAssert.JsonAsync(await _http.GetAsync("/openapi/v1.json"), HttpStatusCode.OK);
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer");
        Assert.Equal("http", scheme.Str("type"));
        Assert.Equal("bearer", scheme.Str("scheme"));

        var paths = document.GetProperty("paths");
        var purchase = paths.GetProperty("/api/listings/{listingId}/purchases").GetProperty("post");
        var key = Assert.Single(purchase.GetProperty("parameters").EnumerateArray(), p => p.Str("name") == "Idempotency-Key");
        Assert.Equal("header", key.Str("in"));
        Assert.True(key.GetProperty("required").GetBoolean());

        string[] secured = ["GET /api/me", "GET /api/sessions/current", "DELETE /api/sessions/current", "POST /api/markets", "POST /api/listings/{listingId}/purchases", "GET /api/orders/{orderId}"];
        foreach (var route in secured)
        {
            var operation = paths.GetProperty(route.Split(' ')[1]).GetProperty(route.Split(' ')[0].ToLowerInvariant());
            Assert.True(operation.TryGetProperty("security", out var security) && security.GetRawText().Contains("bearer", StringComparison.Ordinal), $"{route} names no bearer security");
        }

        var open = paths.GetProperty("/api/listings/{listingId}").GetProperty("get");
        Assert.False(open.TryGetProperty("security", out _), "GET /api/listings/{listingId} needs no token");
    }

    /// <summary>For every route row of docs/api.md, the 4xx statuses its errors column names.</summary>
    private static List<(string Route, string[] Errors)> DocumentedErrors()
    {
        var text = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "api.md"));
        return [.. RouteWithErrors().Matches(text).Select(m => ($"{m.Groups[1].Value} {m.Groups[2].Value}",
            Status().Matches(m.Groups[3].Value).Select(s => s.Value).Distinct().ToArray()))];
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

    /// <summary>A route row with four columns: route, body, success, errors.</summary>
    [GeneratedRegex(@"(?m)^\| (GET|POST|PUT|PATCH|DELETE) (/api/[^ |]*) \|[^|\n]*\|[^|\n]*\|([^|\n]*)\|\s*$")]
    private static partial Regex RouteWithErrors();

    [GeneratedRegex(@"\b4\d\d\b")]
    private static partial Regex Status();
}
