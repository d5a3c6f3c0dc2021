using FleaMarket.Api.Hosting;
using FleaMarket.Api.Operations;
using FleaMarket.Silo.Admin;
using FleaMarket.Silo.Hosting;
using FleaMarket.Silo.Operations;
using OpenTelemetry.Metrics;
using Orleans.Dashboard;

// A silo process. By default (the embedded single-node setup) it keeps its data in ./data/fleamarket.db and
// also serves the HTTP API on http://127.0.0.1:5000, calling its own grains. Set Api:Enabled=false for a pure
// silo behind separate API nodes, and Engines:* for Redis/PostgreSQL (docs/operations.md). Orleans' dashboard,
// /metrics and health probes are on the admin port (Admin:Urls, default http://127.0.0.1:8081), which answers only
// the Host names of Admin:AllowedHosts (default loopback) and needs Dashboard:AccessKey to listen beyond loopback.
var builder = WebApplication.CreateBuilder(args);
var serveApi = builder.Configuration.GetValue("Api:Enabled", defaultValue: true);
var admin = builder.AddFleaMarketAdmin();
List<string> urls = serveApi ? [builder.Configuration["Urls"] ?? "http://127.0.0.1:5000"] : [];
if (admin.Enabled) urls.AddRange(admin.UrlList);
builder.WebHost.UseUrls([.. urls]);

builder.AddFleaMarketSilo();
builder.Services.AddHealthChecks().AddCheck<SiloReadyCheck>("silo", tags: ["ready"]);
builder.Services.AddFleaMarketMetrics();
builder.Services.AddSingleton<MembershipMetrics>();
builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddMeter(MembershipMetrics.MeterName));
if (serveApi) builder.Services.AddFleaMarketApi();

var app = builder.Build();
app.Services.GetRequiredService<MembershipMetrics>();
app.UseFleaMarketAdmin();
if (serveApi)
{
    app.MapFleaMarketApi();
}
else
{
    app.MapFleaMarketHealthChecks();
    app.MapFleaMarketMetrics();
}

if (admin.Enabled) app.MapFleaMarketPlacement();
if (admin.Enabled && builder.Configuration.GetValue("Dashboard:Enabled", defaultValue: true)) app.MapOrleansDashboard("/dashboard");
app.Lifetime.ApplicationStarted.Register(() =>
    app.Logger.LogInformation("FleaMarket is up on {Urls}. Stop with Ctrl+C.", string.Join(", ", app.Urls)));
await app.RunAsync();
