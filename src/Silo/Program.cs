using FleaMarket.Api.Hosting;
using FleaMarket.Grains;
using FleaMarket.Runtime.Hosting;
using FleaMarket.Silo;
using FleaMarket.Silo.Admin;

// A silo process. By default (the embedded single-node setup) it keeps its data in ./data/fleamarket.db and
// also serves the HTTP API, calling its own grains directly. Set Api:Enabled=false for a pure silo behind
// separate API nodes, and Engines:* for Redis/PostgreSQL (see docs/operations.md). The dashboard, /metrics and
// health probes are on the admin port (Admin:Urls, default http://127.0.0.1:8081).
var builder = WebApplication.CreateBuilder(args);
builder.WebHost.UseUrls(builder.Configuration["Urls"] ?? "http://127.0.0.1:5000");
builder.Services.AddSiloAdmin().AddSilo().AddConfiguredEngines(builder.Configuration).AddFleaMarketGrains();
var serveApi = builder.Configuration.GetValue("Api:Enabled", defaultValue: true);
if (serveApi) builder.Services.AddFleaMarketApi();
builder.Services.AddHealthChecks();

var app = builder.Build();
if (serveApi) app.MapFleaMarketApi();
else app.MapHealthChecks("/health/live");
app.Lifetime.ApplicationStarted.Register(() =>
    app.Logger.LogInformation("FleaMarket is up: API on {Urls}. Stop with Ctrl+C.", string.Join(", ", app.Urls)));
app.Run();
