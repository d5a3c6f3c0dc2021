using FleaMarket.Persistence.Sqlite;

namespace FleaMarket.Persistence;

/// <summary>Settings of the SQLite journal (<see cref="JournalServiceCollectionExtensions.AddSqliteJournal"/>), validated when the host starts.</summary>
public sealed class SqliteJournalOptions
{
    /// <summary>
    /// Microsoft.Data.Sqlite connection string naming the database file that holds deploy/sql/sqlite/200_journal.sql,
    /// e.g. <c>Data Source=./data/fleamarket.db</c> (a relative path is resolved against the working directory; a missing
    /// directory is created). Usually the file Orleans' grain storage and the reminders use too. Required; no default.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Separates the journals of services sharing one file; every silo of a service must use the same value.
    /// Default <c>fleamarket</c>.
    /// </summary>
    public string ServiceId { get; set; } = "fleamarket";

    /// <summary>
    /// How long a write waits for another writer of the file (Orleans' grain storage, another process) before it fails.
    /// Everything of this process on one file shares the value of whichever opened it first. Default 5 seconds.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = SqliteSettings.DefaultBusyTimeout;
}
