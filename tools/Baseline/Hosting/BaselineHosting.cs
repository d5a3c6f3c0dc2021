using FleaMarket.Baseline.Auth;
using FleaMarket.Baseline.Contract;
using FleaMarket.Baseline.Data;
using FleaMarket.Baseline.Listings;
using FleaMarket.Baseline.Markets;
using FleaMarket.Baseline.Users;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FleaMarket.Baseline.Hosting;

/// <summary>The baseline's services and endpoints.</summary>
internal static class BaselineHosting
{
    public static IServiceCollection AddBaseline(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BaselineOptions>().Bind(configuration).Validate(o =>
        {
            o.Validate();
            return true;
        }).ValidateOnStart();
        // Same hasher and default iteration count as FleaMarket; PasswordHasher:IterationCount lowers it for tests.
        services.Configure<PasswordHasherOptions>(configuration.GetSection("PasswordHasher"));
        services.AddSingleton<IPasswordHasher<string>, PasswordHasher<string>>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => NpgsqlDataSource.Create(sp.GetRequiredService<IOptions<BaselineOptions>>().Value.ConnectionString!));
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
            if (context.ProblemDetails.Type is not { } type || !type.StartsWith(Problems.BaseUri, StringComparison.Ordinal))
            {
                context.ProblemDetails.Type = Problems.Uri(Problems.ForStatus(status));
            }
        });
        services.AddAuthentication(SessionAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, SessionAuthenticationHandler>(SessionAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        return services;
    }

    public static async Task MapBaselineAsync(this WebApplication app)
    {
        await Schema.EnsureAsync(app.Services.GetRequiredService<NpgsqlDataSource>(), app.Lifetime.ApplicationStopping).ConfigureAwait(false);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains("ready") });
        app.MapUsersApi();
        app.MapMarketsApi();
        app.MapListingsApi();
    }
}
