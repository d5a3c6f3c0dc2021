using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace FleaMarket.Api.Tests.Contract;

/// <summary>Assertions on the shapes api.md promises: problem details with contract codes, exact field names, UTC timestamps.</summary>
internal static class ApiAssert
{
    public const string ProblemBase = "https://fleamarket.dev/problems/";

    /// <summary>Every problem code a client may see: api.md's codes (503 unavailable included) plus the framework statuses it names (413) or implies (405, 415).</summary>
    public static readonly IReadOnlySet<string> ContractCodes = new HashSet<string>(StringComparer.Ordinal)
    {
        "validation", "username-taken", "invalid-credentials", "rate-limited", "unauthorized", "forbidden", "not-found",
        "not-open", "sold-out", "limit-exceeded", "closed", "idempotency-key-reused", "payload-too-large",
        "method-not-allowed", "unsupported-media-type", "unavailable",
    };

    /// <summary>Asserts an RFC 9457 problem with the given status and code; returns its body.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status} {code}, got {(int)response.StatusCode}: {body}");
        return ProblemBody(response, body, code);
    }

    /// <summary>Asserts a 4xx problem with one of the contract's codes; returns the code.</summary>
    public static async Task<string> ClientProblemAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;
        Assert.True(status is >= 400 and < 500, $"Expected a 4xx, got {status}: {body}");
        var problem = ProblemBody(response, body, code: null);
        return problem.GetProperty("type").GetString()![ProblemBase.Length..];
    }

    /// <summary>Asserts the status and that the JSON body has exactly the given field names; returns the body.</summary>
    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode status, params string[] fields)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(text).RootElement.Clone();
        if (fields.Length > 0) Fields(body, fields);
        return body;
    }

    /// <summary>Asserts that an object has exactly these field names (camelCase, as api.md spells them).</summary>
    public static void Fields(JsonElement body, params string[] fields)
    {
        Assert.Equal(JsonValueKind.Object, body.ValueKind);
        var actual = body.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(fields.Order(StringComparer.Ordinal).ToArray(), actual);
    }

    /// <summary>Asserts an ISO 8601 timestamp in UTC ("Z" or "+00:00"); returns it.</summary>
    public static DateTimeOffset UtcTimestamp(JsonElement value)
    {
        Assert.Equal(JsonValueKind.String, value.ValueKind);
        var text = value.GetString()!;
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|\+00:00)$", text);
        return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
    }

    public static string Str(this JsonElement body, string field) => body.GetProperty(field).GetString()!;

    public static long Long(this JsonElement body, string field) => body.GetProperty(field).GetInt64();

    public static Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response) => response.Content.ReadFromJsonAsync<JsonElement>();

    private static JsonElement ProblemBody(HttpResponseMessage response, string body, string? code)
    {
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json",
            $"Expected application/problem+json, got '{response.Content.Headers.ContentType}': {body}");
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        var type = problem.GetProperty("type").GetString();
        Assert.NotNull(type);
        Assert.StartsWith(ProblemBase, type, StringComparison.Ordinal);
        var actual = type[ProblemBase.Length..];
        if (code is not null) Assert.Equal(code, actual);
        Assert.Contains(actual, ContractCodes);
        Assert.Equal((int)response.StatusCode, problem.GetProperty("status").GetInt32());
        Assert.Equal(JsonValueKind.String, problem.GetProperty("title").ValueKind);
        return problem;
    }
}
