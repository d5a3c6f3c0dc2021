using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FleaMarket.Dashboard.Tests.Hosting;

namespace FleaMarket.Dashboard.Tests.Admin;

/// <summary>
/// The admin port's /placement on real silo processes: a signed-up buyer's session and account grains are each listed
/// by exactly one silo, the type filter narrows the list, and the list is kept off the API port and behind the key.
/// </summary>
[Collection(DashboardClusterCollection.Name)]
public sealed class PlacementEndpointTests(DashboardCluster cluster)
{
    private const string Password = "placement-test-password";
    private static readonly (string, string) s_key = ("X-Dashboard-Key", DashboardCluster.AccessKey);

    [Fact]
    public async Task Placement_SignedInBuyer_ListsSessionAndAccountOnExactlyOneSilo()
    {
        var (userId, token) = await SignUpAsync();
        // The API keys a session by the hex SHA-256 of its token (SessionTokens), never by the token.
        var sessionKey = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

        var lines = new List<(string Silo, string Type, string Key)>();
        foreach (var silo in new[] { cluster.First, cluster.Second })
        {
            using var response = await AdminHttp.GetAsync(silo.AdminUrl, "/placement", s_key);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/tab-separated-values", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
            lines.AddRange(Lines(silo.Name, await response.Content.ReadAsStringAsync()));
        }

        Assert.Single(lines, l => l.Type == "session" && l.Key == sessionKey);
        Assert.Single(lines, l => l.Type == "account" && l.Key == userId);
        Assert.DoesNotContain(lines, l => l.Key.Contains(token, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Type.StartsWith("sys.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Placement_TypeFilter_ListsOnlyThoseTypes()
    {
        await SignUpAsync();

        using var response = await AdminHttp.GetAsync(cluster.First.AdminUrl, "/placement?type=session&type=listing", s_key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.All(Lines("dash-1", await response.Content.ReadAsStringAsync()), l => Assert.Contains(l.Type, new[] { "session", "listing" }));
    }

    [Fact]
    public async Task Placement_KeySetAndNoneGiven_Answers401()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await AdminHttp.StatusAsync(cluster.First.AdminUrl, "/placement"));
        Assert.Equal(HttpStatusCode.Unauthorized, await AdminHttp.StatusAsync(cluster.First.AdminUrl, "/placement", ("X-Dashboard-Key", "wrong-key-123")));
    }

    [Fact]
    public async Task Placement_ForeignHostOnAdminPort_Answers400EvenWithKey()
    {
        Assert.Equal(HttpStatusCode.BadRequest, await AdminHttp.StatusAsync(cluster.First.AdminUrl, "/placement", ("Host", "evil.example"), s_key));
    }

    [Fact]
    public async Task Placement_OnApiPort_Answers404EvenWithKeyAndAdminHost()
    {
        var adminHost = ("Host", cluster.First.AdminUrl.Authority);

        Assert.Equal(HttpStatusCode.NotFound, await AdminHttp.StatusAsync(cluster.First.ApiUrl, "/placement"));
        Assert.Equal(HttpStatusCode.NotFound, await AdminHttp.StatusAsync(cluster.First.ApiUrl, "/placement", adminHost, s_key));
    }

    private static IEnumerable<(string Silo, string Type, string Key)> Lines(string silo, string body) =>
        body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            var fields = line.Split('\t');
            Assert.Equal(2, fields.Length);
            return (silo, fields[0], fields[1]);
        });

    /// <summary>Registers and signs in a fresh buyer through dash-1's API; returns its user id and bearer token.</summary>
    private async Task<(string UserId, string Token)> SignUpAsync()
    {
        var username = "place" + Guid.NewGuid().ToString("N")[..12];
        using var registered = await AdminHttp.Client.PostAsJsonAsync(new Uri(cluster.First.ApiUrl, "/api/users"), new { username, password = Password, displayName = "Placement test" });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        using var login = await AdminHttp.Client.PostAsJsonAsync(new Uri(cluster.First.ApiUrl, "/api/sessions"), new { username, password = Password });
        Assert.Equal(HttpStatusCode.Created, login.StatusCode);
        using var session = JsonDocument.Parse(await login.Content.ReadAsStringAsync());
        return (session.RootElement.GetProperty("userId").GetString()!, session.RootElement.GetProperty("token").GetString()!);
    }
}
