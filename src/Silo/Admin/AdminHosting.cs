using FleaMarket.Hosting;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.Extensions.Options;
using OrleansDashboardOptions = Orleans.Dashboard.DashboardOptions;

namespace FleaMarket.Silo.Admin;

/// <summary>The admin endpoint: its settings ("Admin", "Dashboard"), its Host check and its access gate.</summary>
internal static partial class AdminHosting
{
    /// <summary>
    /// Reads and validates the "Admin" and "Dashboard" sections now (the host needs the admin URLs before it is
    /// built) and registers them. Stops the process naming the setting when one is invalid, or when the admin port
    /// would listen beyond loopback without Dashboard:AccessKey.
    /// </summary>
    public static AdminOptions AddFleaMarketAdmin(this WebApplicationBuilder builder)
    {
        var admin = builder.Configuration.GetSection(AdminOptions.SectionName).Get<AdminOptions>() ?? new AdminOptions();
        var access = builder.Configuration.GetSection(DashboardAccessOptions.SectionName).Get<DashboardAccessOptions>() ?? new DashboardAccessOptions();
        admin.Validate();
        access.Validate();
        admin.RequireAccessKeyBeyondLoopback(access);

        builder.Services.AddValidatedOptions<AdminOptions>(AdminOptions.SectionName, o => o.Validate());
        builder.Services.AddValidatedOptions<DashboardAccessOptions>(DashboardAccessOptions.SectionName, o => o.Validate());
        builder.Services.AddOptions<OrleansDashboardOptions>()
            .Configure<IOptions<DashboardAccessOptions>>((dashboard, options) => dashboard.HideTrace = !options.Value.LogStream);
        return admin;
    }

    /// <summary>
    /// On the admin port, ASP.NET Core's host filtering with Admin:AllowedHosts (400 for any other Host header);
    /// then, on every port, the gate that keeps the dashboard on the admin port and checks the access key.
    /// </summary>
    /// <remarks>
    /// The host filtering WebApplication adds by default reads the root AllowedHosts for every port: API clients use
    /// many host names, so the admin port gets a middleware instance of its own with its own options.
    /// </remarks>
    public static WebApplication UseFleaMarketAdmin(this WebApplication app)
    {
        var admin = app.Services.GetRequiredService<IOptions<AdminOptions>>().Value;
        if (admin.Enabled)
        {
            var adminPorts = admin.Ports.ToHashSet();
            var hosts = new HostFilteringOptions
            {
                AllowedHosts = [.. admin.AllowedHostList],
                // Browsers always send a Host header; requests without one (HTTP/1.0 checkers) are not the rebinding threat.
                AllowEmptyHosts = true,
            };
            app.UseWhen(
                context => adminPorts.Contains(context.Connection.LocalPort),
                branch => branch.UseMiddleware<HostFilteringMiddleware>(new FixedOptionsMonitor<HostFilteringOptions>(hosts)));
            if (admin.AllowsAnyHost && !app.Services.GetRequiredService<IOptions<DashboardAccessOptions>>().Value.RequiresKey)
            {
                LogAnyHostWithoutKey(app.Logger, admin.AllowedHosts);
            }
        }

        app.UseMiddleware<AdminGate>();
        return app;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Admin:AllowedHosts is '{AllowedHosts}' and Dashboard:AccessKey is not set: "
        + "a web page whose host name resolves to this machine (DNS rebinding) can read the dashboard and /metrics")]
    private static partial void LogAnyHostWithoutKey(ILogger logger, string allowedHosts);

    /// <summary>Options that never change, for a middleware that reads them through a monitor.</summary>
    private sealed class FixedOptionsMonitor<T>(T value) : IOptionsMonitor<T>
    {
        public T CurrentValue => value;

        public T Get(string? name) => value;

        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }
}
