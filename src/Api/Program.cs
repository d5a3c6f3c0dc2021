using FleaMarket.Api;
using FleaMarket.Api.Hosting;

// A stateless API node: HTTP in, grain calls out. Any number of these can serve any request.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddConfiguredMembership(builder.Configuration).AddFleaMarketClusterClient();
builder.Services.AddFleaMarketApi();

var app = builder.Build();
app.MapFleaMarketApi();
app.Run();

/// <summary>Entry point, visible to WebApplicationFactory in tests.</summary>
internal partial class Program;
