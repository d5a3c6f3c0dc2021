using Microsoft.Extensions.Options;

namespace FleaMarket.Silo.Admin;

/// <summary>
/// Keeps the dashboard and the placement list on the admin port: /dashboard and /placement are answered only on a
/// port of Admin:Urls (404 elsewhere, so the API port facing the load balancer never exposes them, whatever Host
/// header a client forges), and there /dashboard, /metrics and /placement need Dashboard:AccessKey when one is set
/// (as <c>?key=</c> or the X-Dashboard-Key header). Health probes stay open: orchestrators call them without secrets.
/// </summary>
/// <remarks>
/// Orleans' dashboard is a single-page app: once opened with <c>?key=</c> it loads its scripts and polls its JSON
/// under /dashboard/ without the key. So a valid <c>?key=</c> on a dashboard path also sets an HttpOnly,
/// SameSite=Strict cookie scoped to /dashboard, which this gate accepts there (never on /metrics).
/// </remarks>
internal sealed partial class AdminGate(RequestDelegate next, IOptions<AdminOptions> admin, IOptions<DashboardAccessOptions> dashboard, ILogger<AdminGate> logger)
{
    private const string DashboardPath = "/dashboard";
    private readonly HashSet<int> _adminPorts = [.. admin.Value.Ports];
    private readonly DashboardAccessOptions _access = dashboard.Value;

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path;
        var onAdminPort = _adminPorts.Contains(context.Connection.LocalPort);
        var isDashboard = path.StartsWithSegments(DashboardPath, StringComparison.OrdinalIgnoreCase);
        var isPlacement = path.StartsWithSegments(PlacementEndpoint.Path, StringComparison.OrdinalIgnoreCase);
        if ((isDashboard || isPlacement) && !onAdminPort)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (onAdminPort && (isDashboard || isPlacement || path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase)))
        {
            if (!Admits(context, isDashboard))
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

    /// <summary>
    /// A key given explicitly (header first, then query) decides alone: a wrong one is refused even next to a valid
    /// cookie. Without one, the dashboard cookie admits dashboard paths.
    /// </summary>
    private bool Admits(HttpContext context, bool isDashboard)
    {
        if (!_access.RequiresKey) return true;
        var request = context.Request;
        if (request.Headers[DashboardAccessOptions.KeyHeader].FirstOrDefault() is { } header) return _access.Accepts(header);
        if (request.Query["key"].FirstOrDefault() is { } query)
        {
            if (!_access.Accepts(query)) return false;
            if (isDashboard) SetCookie(context);
            return true;
        }

        return isDashboard && _access.AcceptsCookie(request.Cookies[CookieName(context)]);
    }

    private void SetCookie(HttpContext context) =>
        context.Response.Cookies.Append(CookieName(context), _access.CookieToken!, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Path = DashboardPath,
            Secure = context.Request.IsHttps,
            IsEssential = true,
        });

    /// <summary>Browsers share cookies across the ports of a host: one name per admin port keeps silos on one machine apart.</summary>
    private static string CookieName(HttpContext context) => $"fleamarket-dashboard-{context.Connection.LocalPort}";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Admin request to {Path} from {RemoteAddress} refused: missing or wrong access key")]
    private static partial void LogRejected(ILogger logger, string path, string remoteAddress);
}
