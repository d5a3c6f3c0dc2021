using Microsoft.Data.Sqlite;

namespace FleaMarket.Persistence.Sqlite;

/// <summary>The checks of a SQLite connection string and busy timeout that the journal and the reminder table share.</summary>
internal static class SqliteSettings
{
    /// <summary>What a valid connection string must be, for the messages of the settings that hold one.</summary>
    public const string ConnectionStringRule =
        "must be a SQLite connection string naming a database file to write, e.g. \"Data Source=./data/fleamarket.db\" "
        + "(not :memory:, Mode=Memory or Mode=ReadOnly: the data must survive a restart)";

    /// <summary>What a valid busy timeout must be.</summary>
    public const string BusyTimeoutRule = "must be greater than zero and at most 10 minutes";

    /// <summary>True if <paramref name="connectionString"/> names a database file that can be written.</summary>
    public static bool IsFileConnectionString(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString)) return false;
        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(connectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            return false;
        }

        return !string.IsNullOrWhiteSpace(builder.DataSource)
            && builder.DataSource.Trim() != ":memory:"
            && builder.Mode is SqliteOpenMode.ReadWriteCreate or SqliteOpenMode.ReadWrite;
    }

    /// <summary>How long a writer waits for the file's write lock held by another process; the options' default.</summary>
    public static readonly TimeSpan DefaultBusyTimeout = TimeSpan.FromSeconds(5);

    public static bool IsBusyTimeout(TimeSpan busyTimeout) => busyTimeout > TimeSpan.Zero && busyTimeout <= TimeSpan.FromMinutes(10);

    /// <summary>The absolute path of the file a checked connection string names: the identity of a database in a process.</summary>
    public static string FilePath(string connectionString) => Path.GetFullPath(new SqliteConnectionStringBuilder(connectionString).DataSource);

    /// <summary>Errors that mean the file cannot be used now (locked past the busy timeout, I/O, permissions, disk full).</summary>
    public static bool IsEngineFailure(Exception error) => error is SqliteException or IOException or UnauthorizedAccessException;
}
