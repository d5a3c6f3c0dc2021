using FleaMarket.Runtime.Hosting;
using FleaMarket.Runtime.PostgreSql;
using FleaMarket.Runtime.Redis;
using FleaMarket.Runtime.Sqlite;

namespace FleaMarket.Silo;

/// <summary>Which engines a silo uses (configuration section "Engines").</summary>
public sealed class EngineOptions
{
    public const string SectionName = "Engines";

    /// <summary>
    /// Where silos agree on who is alive: "Local" (in-process table: one silo alone, the embedded default),
    /// "Redis" (section "Redis") or "PostgreSql" (section "PostgreSql").
    /// </summary>
    public string Membership { get; set; } = "Local";

    /// <summary>Where grain state, order journals and reminders live: "Sqlite" (section "Sqlite", the default), "PostgreSql" or "InMemory".</summary>
    public string Storage { get; set; } = "Sqlite";
}

internal static class Engines
{
    /// <summary>Registers the configured engines; an unknown name stops the process at start naming the setting.</summary>
    public static IServiceCollection AddConfiguredEngines(this IServiceCollection services, IConfiguration configuration)
    {
        var engines = configuration.GetSection(EngineOptions.SectionName).Get<EngineOptions>() ?? new EngineOptions();
        switch (engines.Membership.ToLowerInvariant())
        {
            case "local": services.AddInMemoryMembership(); break;
            case "redis": services.AddRedisMembership(); break;
            case "postgresql": services.AddPostgreSqlMembership(); break;
            default: throw Unknown("Membership", engines.Membership, "Local, Redis, PostgreSql");
        }

        switch (engines.Storage.ToLowerInvariant())
        {
            case "sqlite": services.AddSqliteGrainStorage().AddSqliteReminders(); break;
            case "postgresql": services.AddPostgreSqlGrainStorage().AddPostgreSqlReminders(); break;
            case "inmemory": services.AddInMemoryGrainStorage().AddInMemoryJournalStorage(); break;
            default: throw Unknown("Storage", engines.Storage, "Sqlite, PostgreSql, InMemory");
        }

        return services;
    }

    private static InvalidOperationException Unknown(string setting, string value, string allowed) =>
        new($"Engines:{setting} is '{value}'; use one of {allowed}.");
}
