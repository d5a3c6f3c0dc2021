using FleaMarket.Api.Problems;
using Microsoft.Net.Http.Headers;

namespace FleaMarket.Api.Operations;

/// <summary>
/// Bodies are UTF-8 JSON. Every spelling of a UTF-8 charset label (quoted, any case, the WHATWG aliases) is
/// accepted and taken off the Content-Type, so the framework's reader, which knows fewer spellings and fails
/// with a 500 on the rest, never sees one; any other charset is 415 <c>unsupported-media-type</c>.
/// </summary>
internal sealed class RequestCharset(RequestDelegate next)
{
    // https://encoding.spec.whatwg.org/#names-and-labels: the labels of UTF-8.
    private static readonly HashSet<string> Utf8Labels = new(StringComparer.OrdinalIgnoreCase)
    {
        "utf-8", "utf8", "unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "x-unicode20utf8",
    };

    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.ContentType is { } contentType
            && MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            && mediaType.Charset.HasValue)
        {
            var charset = HeaderUtilities.RemoveQuotes(mediaType.Charset).Trim().ToString();
            if (!Utf8Labels.Contains(charset))
            {
                return Problem.Of(415, ProblemCodes.UnsupportedMediaType, "Unsupported charset.", "Request bodies must be UTF-8 JSON.").ExecuteAsync(context);
            }

            mediaType.Charset = default;
            context.Request.ContentType = mediaType.ToString();
        }

        return next(context);
    }
}
