using Microsoft.Extensions.Options;

namespace FleaMarket.Silo.Admin;

/// <summary>
/// Keeps the dashboard on the admin port: /dashboard is answered only on a port of Admin:Urls (404 elsewhere,
/// so the API port facing the load balancer never exposes it, whatever Host header a client forges), and
/// there /dashboard and /metrics need Dashboard:AccessKey when one is set (as <c>?key=</c> or the
/// X-Dashboard-Key header). Health probes stay open: orchestrators call them without secrets.
/// </summary>
internal sealed partial class AdminGate(RequestDelegate next, IOptions<AdminOptions> admin, IOptions<DashboardAccessOptions> dashboard, ILogger<AdminGate> logger)
{
    private readonly HashSet<int> _adminPorts = [.. admin.Value.Ports];

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        var onAdminPort = _adminPorts.Contains(context.Connection.LocalPort);
        var isDashboard = path.StartsWithSegments("/dashboard", StringComparison.OrdinalIgnoreCase);
        if (isDashboard && !onAdminPort)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (onAdminPort && (isDashboard || path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase)))
        {
            var request = context.Request;
            var candidate = request.Headers[DashboardAccessOptions.KeyHeader].FirstOrDefault() ?? request.Query["key"].FirstOrDefault();
            if (!dashboard.Value.Accepts(candidate))
            {
                LogRejected(logger, path, context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
                await TypedResults.Problem(
                    statusCode: StatusCodes.Status401Unauthorized,
                    title: "Access key required",
                    detail: $"Dashboard:AccessKey is set on this silo: pass it as ?key= or in the {DashboardAccessOptions.KeyHeader} header.").ExecuteAsync(context);
                return;
            }

            context.Response.Headers.CacheControl = "no-store";
        }

        await next(context);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Admin request to {Path} from {RemoteAddress} refused: missing or wrong access key")]
    private static partial void LogRejected(ILogger logger, string path, string remoteAddress);
}
