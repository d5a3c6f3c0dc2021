using FleaMarket.Api.Problems;
using FleaMarket.Api.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FleaMarket.Api.Feed;

/// <summary>
/// The live market page for people: a static HTML page, its script and its style, embedded in this assembly (so a
/// silo serving the API has them too). The script draws the market's listings with stock bars moved by the feed.
/// </summary>
/// <remarks>
/// The page runs nothing inline and loads nothing from elsewhere: the Content-Security-Policy allows scripts,
/// styles and connections from this origin only, no frames, no forms, no plugins. Titles and descriptions are
/// user input; the script puts them in the page with textContent only.
/// </remarks>
internal sealed class MarketPage
{
    public const string ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        + "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public byte[] Html { get; } = Read("market.html");

    public byte[] Script { get; } = Read("market.js");

    public byte[] Style { get; } = Read("market.css");

    public byte[] Icon { get; } = Read("market.svg");

    private static byte[] Read(string name)
    {
        var resource = $"{typeof(MarketPage).Namespace}.Page.{name}";
        using var stream = typeof(MarketPage).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded resource {resource} is missing.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

/// <summary>Routes of the live market page. Not part of the HTTP API's contract, so not in the OpenAPI document.</summary>
internal static class MarketPageRoutes
{
    public static IEndpointRouteBuilder MapMarketPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/markets/{marketId}", Page).WithName("MarketPage").ExcludeFromDescription();
        app.MapGet("/assets/market.js", (HttpContext context, MarketPage page) => Asset(context, page.Script, "text/javascript; charset=utf-8"))
            .ExcludeFromDescription();
        app.MapGet("/assets/market.css", (HttpContext context, MarketPage page) => Asset(context, page.Style, "text/css; charset=utf-8"))
            .ExcludeFromDescription();
        app.MapGet("/assets/market.svg", (HttpContext context, MarketPage page) => Asset(context, page.Icon, "image/svg+xml"))
            .ExcludeFromDescription();
        return app;
    }

    private static Results<FileContentHttpResult, ProblemHttpResult> Page(string marketId, HttpContext context, MarketPage page)
    {
        // The page asks the feed whether the market exists; a malformed id is not worth a page.
        if (!Ids.IsMarket(marketId)) return Problem.NotFound("Market");
        return Asset(context, page.Html, "text/html; charset=utf-8");
    }

    private static FileContentHttpResult Asset(HttpContext context, byte[] content, string contentType)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = MarketPage.ContentSecurityPolicy;
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-cache";
        return TypedResults.File(content, contentType);
    }
}
