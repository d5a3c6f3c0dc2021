namespace FleaMarket.Runtime.Sqlite;

/// <summary>
/// Settings of the SQLite providers (configuration section "Sqlite"), named by the storage provider
/// name; reminders use the settings of the default provider so they live in the same file as state.
/// </summary>
public sealed class SqliteOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Sqlite";

    /// <summary>
    /// Path of the database file. Default <c>./data/fleamarket.db</c>, relative to the working directory;
    /// its directory is created if missing.
    /// </summary>
    public string DataSource { get; set; } = "./data/fleamarket.db";

    /// <summary>
    /// Deployment the rows belong to: every table is partitioned by it, so two services can share a file
    /// without seeing each other's grains. Default <c>fleamarket</c>.
    /// </summary>
    public string ServiceId { get; set; } = "fleamarket";

    /// <summary>Largest accepted serialized grain state, in bytes; larger writes fail before touching the file. Default 1 MiB.</summary>
    public int MaxStateBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// How long a statement waits for another connection (another process on the same file) to release
    /// its lock before failing. Default 5 seconds.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Throws naming the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataSource))
        {
            throw new InvalidOperationException($"SQLite setting {SectionName}:{nameof(DataSource)} must name a database file.");
        }

        if (DataSource.Trim() == ":memory:" || DataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"SQLite setting {SectionName}:{nameof(DataSource)} must be a file path (not ':memory:' or a URI): state must survive a restart.");
        }

        if (string.IsNullOrWhiteSpace(ServiceId))
        {
            throw new InvalidOperationException($"SQLite setting {SectionName}:{nameof(ServiceId)} must not be empty.");
        }

        if (MaxStateBytes <= 0)
        {
            throw new InvalidOperationException($"SQLite setting {SectionName}:{nameof(MaxStateBytes)} must be greater than zero (was {MaxStateBytes}).");
        }

        if (BusyTimeout <= TimeSpan.Zero || BusyTimeout > TimeSpan.FromMinutes(10))
        {
            throw new InvalidOperationException($"SQLite setting {SectionName}:{nameof(BusyTimeout)} must be between 0 and 10 minutes (was {BusyTimeout}).");
        }
    }
}
