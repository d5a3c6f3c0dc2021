using System.Globalization;
using FleaMarket.Grains;

namespace FleaMarket.Api.Validation;

/// <summary>
/// Paged order lists (api.md): <c>limit</c> 1–1000 (default 100) and <c>after</c>, the last order id of the
/// previous page; a full page carries <c>Link: &lt;…&gt;; rel="next"</c> while more remain.
/// </summary>
internal static class Paging
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>The page asked for, checked. One more order than the limit is fetched, to know whether more remain.</summary>
    public static OrderPage? Read(HttpRequest request, Rules rules)
    {
        var limit = DefaultLimit;
        var limits = request.Query["limit"];
        if (limits.Count > 1) rules.Add("limit", "Send at most one.");
        else if (limits.Count == 1 && (!int.TryParse(limits[0], NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            rules.Add("limit", $"Must be a whole number from 1 to {MaxLimit}.");
        }

        var afters = request.Query["after"];
        string? after = null;
        if (afters.Count > 1) rules.Add("after", "Send at most one.");
        else if (afters.Count == 1 && !OrderIds.IsWellFormed(after = afters[0]!)) rules.Add("after", "Must be the orderId of the last order of the previous page.");
        return rules.IsValid ? new OrderPage(after, limit + 1) : null;
    }

    /// <summary>The page to return, with the Link to the next one when the extra order shows that more remain.</summary>
    public static Order[] Trim(HttpContext context, OrderPage page, Order[] fetched)
    {
        var limit = page.Limit - 1;
        if (fetched.Length <= limit) return fetched;
        var shown = fetched[..limit];
        var next = $"{context.Request.PathBase}{context.Request.Path}?limit={limit}&after={shown[^1].OrderId}";
        context.Response.Headers.Link = $"<{next}>; rel=\"next\"";
        return shown;
    }
}
