using FleaMarket.Runtime.Hosting;
using FleaMarket.Api.Operations;
using FleaMarket.Runtime.Diagnostics;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FleaMarket.Silo.Admin;

/// <summary>Host entry point for the silo's admin endpoint (dashboard, metrics, health on Admin:Urls).</summary>
internal static class SiloAdminHosting
{
    /// <summary>
    /// Adds the admin endpoint: its own Kestrel on Admin:Urls (default http://127.0.0.1:8081) serving
    /// /dashboard, /dashboard/api/cluster, /metrics and /health/live|ready. Settings bind from the sections
    /// "Admin" and "Dashboard" and are validated at start. Needs a silo (AddSilo). Safe to call twice.
    /// </summary>
    public static IServiceCollection AddSiloAdmin(this IServiceCollection services)
    {
        services.AddValidatedOptions<AdminOptions>(AdminOptions.SectionName, o => o.Validate());
        services.AddValidatedOptions<DashboardOptions>(DashboardOptions.SectionName, o => o.Validate());
        services.TryAddSingleton(TimeProvider.System);

        // The API registers the same exporter when it runs in this process; a pure silo needs its own.
        services.TryAddSingleton(_ => new PrometheusExporter(
            [RuntimeMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel"]));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, AdminServer>());
        return services;
    }
}
