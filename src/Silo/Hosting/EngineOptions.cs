namespace FleaMarket.Silo.Hosting;

/// <summary>Which engines a silo uses (configuration section "Engines").</summary>
public sealed class EngineOptions
{
    public const string SectionName = "Engines";

    /// <summary>
    /// Where silos agree on who is alive: "Local" (default: one silo alone, Orleans' localhost clustering),
    /// "Redis" (Orleans' Redis clustering, section "Redis") or "PostgreSql" (Orleans' ADO.NET clustering, section "PostgreSql").
    /// </summary>
    public string Membership { get; set; } = "Local";

    /// <summary>
    /// Where grain state, order journals and reminders live: "Sqlite" (default: one file, section "Sqlite"),
    /// "PostgreSql" (section "PostgreSql") or "InMemory" (tests and rehearsals only: nothing survives a restart).
    /// </summary>
    public string Storage { get; set; } = "Sqlite";

    internal bool IsLocal => Membership.Equals("Local", StringComparison.OrdinalIgnoreCase);

    /// <summary>Throws naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Membership.ToLowerInvariant() is not ("local" or "redis" or "postgresql"))
        {
            throw new InvalidOperationException($"Engines:Membership is '{Membership}'; use one of Local, Redis, PostgreSql.");
        }

        if (Storage.ToLowerInvariant() is not ("sqlite" or "postgresql" or "inmemory"))
        {
            throw new InvalidOperationException($"Engines:Storage is '{Storage}'; use one of Sqlite, PostgreSql, InMemory.");
        }
    }
}

/// <summary>The embedded default's SQLite file (configuration section "Sqlite").</summary>
public sealed class SqliteOptions
{
    public const string SectionName = "Sqlite";

    /// <summary>The database file: grain state, order journals and reminders. Default ./data/fleamarket.db.</summary>
    public string DataSource { get; set; } = "./data/fleamarket.db";

    internal string ConnectionString => $"Data Source={Path.GetFullPath(DataSource)};Default Timeout=30;Pooling=True";
}
