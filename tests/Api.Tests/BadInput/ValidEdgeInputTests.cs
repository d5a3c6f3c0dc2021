using System.Net;
using FleaMarket.Api.Tests.Contract;

namespace FleaMarket.Api.Tests.BadInput;

/// <summary>The other side of the table: the unmodified requests succeed, and Unicode at the limits is accepted and kept intact.</summary>
public sealed class ValidEdgeInputTests(ApiClusterFixture fixture) : IClassFixture<ApiClusterFixture>
{
    private readonly HttpClient _http = fixture.NewClient();

    public static TheoryData<string> EndpointNames()
    {
        var data = new TheoryData<string>();
        foreach (var endpoint in Endpoints.All) data.Add(endpoint.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(EndpointNames))]
    public async Task Request_UnspoiledTableRequest_Succeeds(string name)
    {
        var world = await World.CreateAsync(_http);
        var endpoint = Endpoints.All.Single(e => e.Name == name);

        var response = await _http.SendAsync(endpoint.Request(world));

        Assert.True(response.IsSuccessStatusCode, $"{name} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Spellings of "UTF-8 JSON" that clients send (RFC 9110 allows quoting and any case; WHATWG lists the aliases).</summary>
    public static TheoryData<string, string> Utf8ContentTypes()
    {
        string[] spellings =
        [
            "application/json; charset=\"UTF-8\"", "application/json; charset=utf8", "application/json; CHARSET=UTF8", "application/json;charset=UTF-8",
            "APPLICATION/JSON; charset=utf-8", "application/json; charset=\"utf8\"", "application/json; charset=unicode-1-1-utf-8",
            "application/json; charset=x-unicode20utf8", "application/json;  charset=utf-8", "application/json; charset=utf-8; foo=bar",
        ];
        var data = new TheoryData<string, string>();
        foreach (var endpoint in Endpoints.WithBody)
        {
            foreach (var spelling in spellings) data.Add(endpoint.Name, spelling);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Utf8ContentTypes))]
    public async Task Request_Utf8CharsetInAnySpelling_Succeeds(string name, string contentType)
    {
        var world = await World.CreateAsync(_http);
        var endpoint = Endpoints.All.Single(e => e.Name == name);
        var request = endpoint.Request(world);
        BodyCases.WithContentType(request.Content!, contentType);

        var response = await _http.SendAsync(request);

        Assert.True(response.IsSuccessStatusCode, $"{name} with '{contentType}' answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    public static TheoryData<string, string> EdgeTitles => new()
    {
        { "120 ZWJ emoji", string.Concat(Enumerable.Repeat(BodyCases.Family, 120)) },
        { "RTL marks", "\u200F\u05E9\u05D5\u05E7 \u202Bmarket\u202C" },
        { "combining marks", "Cafe\u0301 e\u0301te\u0301" },
        { "astral plane", "\U0001D54F\U0001F600\U00020000" },
        { "tab and newline", "Lamp\tdesk\nbrass" },
        { "120 ASCII", new string('t', 120) },
    };

    [Theory]
    [MemberData(nameof(EdgeTitles))]
    public async Task CreateMarket_UnicodeTitleAtLimit_Returns201AndRoundTrips(string label, string title)
    {
        var world = await World.CreateAsync(_http);
        var request = Endpoints.CreateMarket.WithFields(world, f => f["title"] = Endpoint.Quote(title));

        var response = await _http.SendAsync(request);

        var market = await ApiAssert.JsonAsync(response, HttpStatusCode.Created, MarketsContractTests.MarketFields);
        Assert.True(title == market.Str("title"), $"{label}: title changed on the way.");
        var read = await (await _http.GetAsync($"/api/markets/{market.Str("marketId")}")).ReadJsonAsync();
        Assert.Equal(title, read.Str("title"));
    }

    [Fact]
    public async Task RegisterUser_64ZwjEmojiDisplayName_Returns201()
    {
        var world = await World.CreateAsync(_http);
        var displayName = string.Concat(Enumerable.Repeat(BodyCases.Family, 64));
        var request = Endpoints.Register.WithFields(world, f => f["displayName"] = Endpoint.Quote(displayName));

        var user = await ApiAssert.JsonAsync(await _http.SendAsync(request), HttpStatusCode.Created, "userId", "username", "displayName");

        Assert.Equal(displayName, user.Str("displayName"));
    }
}
