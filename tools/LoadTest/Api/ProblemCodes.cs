namespace FleaMarket.LoadTest.Api;

/// <summary>Problem codes the rehearsal acts on: the last segment of a problem's <c>type</c> URI.</summary>
internal static class ProblemCodes
{
    public const string SoldOut = "sold-out";
    public const string LimitExceeded = "limit-exceeded";
    public const string RateLimited = "rate-limited";
    public const string NotOpen = "not-open";
    public const string Closed = "closed";

    /// <summary>The code of a problem type such as https://fleamarket.dev/problems/sold-out; "none" when the body had none.</summary>
    public static string FromType(string? type)
    {
        if (string.IsNullOrEmpty(type)) return "none";
        var slash = type.LastIndexOf('/');
        return slash >= 0 && slash < type.Length - 1 ? type[(slash + 1)..] : type;
    }
}
