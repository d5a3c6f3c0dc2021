using Microsoft.Extensions.Options;

namespace FleaMarket.Silo.Admin;

/// <summary>
/// Enforces Dashboard:AccessKey on the routes it is added to: the key comes as <c>?key=</c> (so the page's URL
/// can be bookmarked) or as the X-Dashboard-Key header (what the page sends on its fetches).
/// </summary>
internal sealed partial class AccessKeyFilter(IOptions<DashboardOptions> options, ILogger<AccessKeyFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        var candidate = request.Headers[DashboardOptions.KeyHeader].FirstOrDefault() ?? request.Query["key"].FirstOrDefault();
        if (options.Value.Accepts(candidate)) return await next(context).ConfigureAwait(false);

        LogRejected(logger, request.Path, context.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        return TypedResults.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "Access key required",
            detail: $"Dashboard:AccessKey is set on this silo: pass it as ?key= or in the {DashboardOptions.KeyHeader} header.");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Admin request to {Path} from {RemoteAddress} refused: missing or wrong access key")]
    private static partial void LogRejected(ILogger logger, string path, string remoteAddress);
}
