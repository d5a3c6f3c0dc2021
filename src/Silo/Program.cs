using FleaMarket.Api.Hosting;
using FleaMarket.Grains;
using FleaMarket.Runtime.Hosting;

// A silo process. With Api:Enabled (the embedded default) it also serves the HTTP API on the same port
// and process, calling its own grains directly. Storage and membership engines come from configuration once
// the durable-engine providers are registered; until then the silo runs alone on in-memory engines.
var builder = WebApplication.CreateBuilder(args);
builder.WebHost.UseUrls(builder.Configuration["Urls"] ?? "http://127.0.0.1:5000");
builder.Services
    .AddSilo()
    .AddInMemoryMembership()
    .AddInMemoryGrainStorage()
    .AddInMemoryJournalStorage()
    .AddFleaMarketGrains();
builder.Services.AddFleaMarketApi();

var app = builder.Build();
app.MapFleaMarketApi();
app.Run();
