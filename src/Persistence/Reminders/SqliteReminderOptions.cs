using FleaMarket.Persistence.Sqlite;

namespace FleaMarket.Persistence;

/// <summary>Settings of the SQLite reminder table (<see cref="SqliteReminderSiloBuilderExtensions.UseSqliteReminderService"/>), validated when the silo starts.</summary>
public sealed class SqliteReminderOptions
{
    /// <summary>
    /// Microsoft.Data.Sqlite connection string naming the database file that holds deploy/sql/sqlite/210_reminders.sql,
    /// e.g. <c>Data Source=./data/fleamarket.db</c>; usually the file of the grain state and the journal. Required; no default.
    /// The reminders of Orleans' <c>ClusterOptions.ServiceId</c> are kept apart from other services in the same file.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// How long a write waits for another writer of the file before it fails. Everything of this process on one file
    /// shares the value of whichever opened it first. Default 5 seconds.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = SqliteSettings.DefaultBusyTimeout;
}
