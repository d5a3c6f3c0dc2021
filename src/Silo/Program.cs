using FleaMarket.Grains;
using FleaMarket.Runtime.Hosting;

// The silo host: one silo process of the cluster, plus its admin endpoints (health now, dashboard and
// metrics with the operations issue). Storage and membership engines are chosen by configuration once the
// durable-engine providers exist; until then a silo runs alone on in-memory membership and storage.
var builder = WebApplication.CreateBuilder(args);
builder.WebHost.UseUrls(builder.Configuration["Admin:Urls"] ?? "http://127.0.0.1:8081");
builder.Services
    .AddSilo()
    .AddInMemoryMembership()
    .AddInMemoryGrainStorage()
    .AddInMemoryJournalStorage()
    .AddFleaMarketGrains();
builder.Services.AddHealthChecks();

var app = builder.Build();
app.MapHealthChecks("/health/live");
app.Run();
