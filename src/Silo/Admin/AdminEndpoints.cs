using System.Reflection;
using FleaMarket.Api.Operations;
using FleaMarket.Runtime.Membership;
using Microsoft.AspNetCore.Http.HttpResults;
using RuntimeSilo = FleaMarket.Runtime.Hosting.Silo;

namespace FleaMarket.Silo.Admin;

/// <summary>The admin port's routes: the dashboard page and its JSON, Prometheus metrics, health probes.</summary>
internal static class AdminEndpoints
{
    private const string PageResource = "FleaMarket.Silo.Admin.dashboard.html";

    // The page is inline script and style only and talks to its own origin: forbid everything else.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; frame-ancestors 'none'";

    private static readonly Lazy<string> s_page = new(LoadPage);

    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var keyed = app.MapGroup("").AddEndpointFilter<AccessKeyFilter>().DisableHttpMetrics();
        keyed.MapGet("/dashboard", Page).WithName("Dashboard").WithSummary("The live dashboard page.");
        keyed.MapGet("/dashboard/api/cluster", ClusterAsync).WithName("DashboardCluster")
            .WithSummary("Every silo's status, activations, call totals and hottest grains, and the membership history.");
        keyed.MapGet("/metrics", Metrics).WithName("AdminMetrics").WithSummary("Prometheus text format.");

        // Probes stay open (no key): orchestrators call them without secrets, and they reveal nothing.
        var probes = app.MapGroup("/health").DisableHttpMetrics();
        probes.MapGet("/live", () => TypedResults.Text("Healthy")).WithName("AdminLive").WithSummary("200 while the process runs.");
        probes.MapGet("/ready", Ready).WithName("AdminReady").WithSummary("200 when this silo is Active in its membership view.");
        return app;
    }

    private static ContentHttpResult Page(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.CacheControl = "no-store";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        return TypedResults.Content(s_page.Value, "text/html; charset=utf-8");
    }

    private static async Task<Ok<ClusterSnapshot>> ClusterAsync(RuntimeSilo silo, TimeProvider time, HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(await ClusterSnapshot.CollectAsync(silo, time, context.RequestAborted).ConfigureAwait(false));
    }

    private static ContentHttpResult Metrics(PrometheusExporter exporter) =>
        TypedResults.Text(exporter.Scrape(), "text/plain; version=0.0.4");

    private static Results<ContentHttpResult, ProblemHttpResult> Ready(RuntimeSilo silo)
    {
        var status = silo.View.GetStatus(silo.Address);
        return status == SiloStatus.Active
            ? TypedResults.Text($"Active in view {silo.View.Version}")
            : TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready", detail: $"This silo is {status} in view {silo.View.Version}.");
    }

    private static string LoadPage()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(PageResource)
            ?? throw new InvalidOperationException($"The dashboard page resource {PageResource} is missing from the build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
