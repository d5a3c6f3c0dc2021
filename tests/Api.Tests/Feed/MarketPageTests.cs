using System.Net;
using System.Text.RegularExpressions;
using FleaMarket.Api.Tests.Contract;

namespace FleaMarket.Api.Tests.Feed;

/// <summary>The live market page as HTTP sees it: static, same-origin only, nothing inline. Its behaviour is tested in Chromium (Dashboard.Tests).</summary>
public sealed partial class MarketPageTests(ApiClusterFixture fixture) : IClassFixture<ApiClusterFixture>
{
    private readonly HttpClient _http = fixture.NewClient();

    [Fact]
    public async Task Page_WellFormedId_ServesHtmlUnderAStrictContentSecurityPolicy()
    {
        using var response = await _http.GetAsync("/markets/m_0123456789abcdef0123456789abcdef");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", policy, StringComparison.Ordinal);
        var html = await response.Content.ReadAsStringAsync();
        // Nothing inline for the policy to refuse: every script has a src, no element carries a handler or a style.
        Assert.Empty(InlineScript().Matches(html));
        Assert.Empty(InlineHandlerOrStyle().Matches(html));
        Assert.Contains("src=\"/assets/market.js\"", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/assets/market.js", "text/javascript")]
    [InlineData("/assets/market.css", "text/css")]
    [InlineData("/assets/market.svg", "image/svg+xml")]
    public async Task Asset_Get_ServedWithItsTypeAndNosniff(string path, string mediaType)
    {
        using var response = await _http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task Script_UserText_NeverWrittenAsMarkup()
    {
        var script = await _http.GetStringAsync("/assets/market.js");

        Assert.DoesNotContain("innerHTML", script, StringComparison.Ordinal);
        Assert.DoesNotContain("outerHTML", script, StringComparison.Ordinal);
        Assert.DoesNotContain("insertAdjacentHTML", script, StringComparison.Ordinal);
        Assert.DoesNotContain("document.write", script, StringComparison.Ordinal);
        Assert.DoesNotContain("eval(", script, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/markets/not-a-market")]
    [InlineData("/markets/m_0123")]
    public async Task Page_MalformedId_Answers404Problem(string path)
    {
        using var response = await _http.GetAsync(path);

        await ApiAssert.ProblemAsync(response, HttpStatusCode.NotFound, "not-found");
    }

    [GeneratedRegex(@"<script(?![^>]*\bsrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [GeneratedRegex(@"<[^>]+\s(on[a-z]+|style)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex InlineHandlerOrStyle();
}
