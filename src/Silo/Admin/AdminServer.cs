using System.Text.Json.Serialization;
using FleaMarket.Api.Operations;
using Microsoft.Extensions.Options;
using RuntimeSilo = FleaMarket.Runtime.Hosting.Silo;

namespace FleaMarket.Silo.Admin;

/// <summary>
/// Runs the admin endpoint as a second, small web application inside the silo process, on Admin:Urls.
/// A separate Kestrel (rather than admin routes filtered by Host header on the API's server) means the routes
/// cannot be reached through the API port by forging a Host header, and the API's middleware (auth, rate
/// limits, body limits) and routes (/metrics, /health) stay untouched.
/// </summary>
internal sealed partial class AdminServer(
    IServiceProvider root, IOptions<AdminOptions> admin, IOptions<DashboardOptions> dashboard, ILogger<AdminServer> logger)
    : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!admin.Value.Enabled) return;
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(AdminServer).Assembly.GetName().Name });
        builder.WebHost.UseKestrel().UseUrls(admin.Value.Urls);
        builder.Services.AddRouting();
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));

        // Log through the host's providers, but keep ASP.NET Core's per-request lines out: the page polls every 1.5 s.
        foreach (var provider in root.GetServices<ILoggerProvider>()) builder.Logging.AddProvider(provider);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);

        // A window onto the host's silo: share the host's singletons rather than build new ones.
        builder.Services.AddSingleton(root.GetRequiredService<RuntimeSilo>());
        builder.Services.AddSingleton(root.GetRequiredService<PrometheusExporter>());
        builder.Services.AddSingleton(root.GetRequiredService<TimeProvider>());
        builder.Services.AddSingleton(dashboard);

        // Only the outer host reacts to Ctrl+C/SIGTERM; it stops this app through StopAsync.
        builder.Services.AddSingleton<IHostLifetime, PassiveLifetime>();

        _app = builder.Build();
        _app.MapAdminEndpoints();
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);

        var urls = string.Join(", ", _app.Urls);
        LogListening(logger, urls, _app.Urls.First().TrimEnd('/') + "/dashboard");
        if (!admin.Value.IsLoopbackOnly && string.IsNullOrEmpty(dashboard.Value.AccessKey)) LogExposed(logger, urls);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null) await _app.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync().ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Admin endpoint on {Urls}: dashboard at {DashboardUrl}")]
    private static partial void LogListening(ILogger logger, string urls, string dashboardUrl);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Admin endpoint on {Urls} is reachable beyond loopback without Dashboard:AccessKey")]
    private static partial void LogExposed(ILogger logger, string urls);

    private sealed class PassiveLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
