using FleaMarket.Baseline.Hosting;

// The baseline: FleaMarket's purchase endpoint shapes over one PostgreSQL database, no grains, no cache.
// Settings: ConnectionString (required), Urls, SessionExpiry, PasswordHasher:IterationCount.
var builder = WebApplication.CreateBuilder(args);
builder.WebHost.UseUrls(builder.Configuration["Urls"] ?? "http://127.0.0.1:5100");
builder.Services.AddBaseline(builder.Configuration);

var app = builder.Build();
await app.MapBaselineAsync();
app.Lifetime.ApplicationStarted.Register(() =>
    app.Logger.LogInformation("Baseline is up on {Urls}. Stop with Ctrl+C.", string.Join(", ", app.Urls)));
await app.RunAsync();
