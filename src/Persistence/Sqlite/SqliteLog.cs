using Microsoft.Extensions.Logging;

namespace FleaMarket.Persistence.Sqlite;

/// <summary>Source-generated logs of the SQLite engine.</summary>
internal static partial class SqliteLog
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "SQLite database {Path} open (WAL, synchronous FULL)")]
    public static partial void DatabaseOpened(ILogger logger, string path);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning,
        Message = "SQLite database {Path} could not switch to WAL (journal mode {JournalMode}); readers will block the writer. Is the file on a network file system?")]
    public static partial void WalUnavailable(ILogger logger, string path, string journalMode);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "SQLite database {Path} could not {Operation}")]
    public static partial void OperationFailed(ILogger logger, Exception exception, string path, string operation);
}
