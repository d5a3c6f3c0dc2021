namespace FleaMarket.Persistence;

/// <summary>Settings of the PostgreSQL journal (<see cref="JournalServiceCollectionExtensions.AddPostgreSqlJournal"/>), validated when the host starts.</summary>
public sealed class PostgreSqlJournalOptions
{
    /// <summary>
    /// Npgsql connection string of the database holding deploy/sql/postgresql/200_journal.sql, e.g.
    /// <c>Host=db;Database=fleamarket;Username=app;Password=...</c>. Required; no default.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Separates the journals of services sharing one database; every silo of a service must use the same value.
    /// Default <c>fleamarket</c>.
    /// </summary>
    public string ServiceId { get; set; } = "fleamarket";
}
