using Microsoft.AspNetCore.Http.Features;

namespace FleaMarket.Api.Operations;

/// <summary>
/// Headers every answer carries, and HEAD served as GET without a body. First in the pipeline, so that even
/// the answers of the body limit and the rate limiter carry them.
/// </summary>
internal sealed class ResponseHeaders(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (HttpMethods.IsHead(context.Request.Method))
        {
            // Every GET route answers HEAD with the same status and headers: routing sees a GET, and the body
            // is written nowhere whatever the server (Kestrel drops HEAD bodies itself; the test server does not).
            context.Request.Method = HttpMethods.Get;
            context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
        }

        context.Response.OnStarting(static state =>
        {
            var context = (HttpContext)state;
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            // What a signed-in caller reads is theirs alone: no shared cache may keep it.
            if (headers.CacheControl.Count == 0 && context.User.Identity?.IsAuthenticated == true) headers.CacheControl = "no-store";
            return Task.CompletedTask;
        }, context);
        return next(context);
    }
}
