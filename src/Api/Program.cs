using FleaMarket.Api.Hosting;

// A stateless API node: HTTP in, grain calls out through an Orleans client. Any number of these can serve any request.
var builder = WebApplication.CreateBuilder(args);
// The client retries until the silos answer; starting the services together keeps Kestrel up meanwhile (503 until then).
builder.Services.Configure<HostOptions>(o => o.ServicesStartConcurrently = true);
builder.AddFleaMarketClusterClient();
builder.Services.AddFleaMarketApi();

var app = builder.Build();
app.MapFleaMarketApi();
app.Run();

/// <summary>Entry point, visible to WebApplicationFactory in tests.</summary>
internal partial class Program;
