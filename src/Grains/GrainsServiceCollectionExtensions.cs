using FleaMarket.Grains.Feed;
using FleaMarket.Grains.Listings;
using FleaMarket.Grains.Markets;
using FleaMarket.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FleaMarket.Grains;

/// <summary>Host entry point for the flea market's grains (Orleans finds the grain classes through code generation).</summary>
public static class GrainsServiceCollectionExtensions
{
    /// <summary>The services the grains need and their settings (sections "Markets", "Listings", "Feed", "PasswordHasher"). Safe to call twice.</summary>
    public static IServiceCollection AddFleaMarketGrains(this IServiceCollection services, Action<MarketOptions>? configure = null)
    {
        services.TryAddSingleton(TimeProvider.System);
        // ASP.NET Core Identity's hasher (PBKDF2); its iteration count is set through PasswordHasherOptions.
        services.TryAddSingleton<IPasswordHasher<string>, PasswordHasher<string>>();
        services.AddOptions<PasswordHasherOptions>().BindConfiguration("PasswordHasher");
        services.AddValidatedOptions<MarketOptions>(MarketOptions.SectionName, o => o.Validate());
        services.AddValidatedOptions<ListingOptions>(ListingOptions.SectionName, o => o.Validate());
        services.AddValidatedOptions<FeedOptions>(FeedOptions.SectionName, o => o.Validate());
        if (configure is not null) services.Configure(configure);
        return services;
    }
}
