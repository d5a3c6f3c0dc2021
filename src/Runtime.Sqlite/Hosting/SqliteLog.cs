using Microsoft.Extensions.Logging;

namespace FleaMarket.Runtime.Sqlite.Hosting;

/// <summary>Source-generated log messages of the SQLite providers.</summary>
internal static partial class SqliteLog
{
    [LoggerMessage(EventId = 7000, Level = LogLevel.Information, Message = "SQLite database {Path} open (journal mode {JournalMode}, synchronous FULL)")]
    public static partial void DatabaseOpened(ILogger logger, string path, string journalMode);

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Applied SQLite schema script {Version} ({Script}) to {Path}")]
    public static partial void SchemaScriptApplied(ILogger logger, long version, string script, string path);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning,
        Message = "SQLite database {Path} could not switch to WAL (journal mode {JournalMode}); readers will block the writer. Is the file on a network file system?")]
    public static partial void WalUnavailable(ILogger logger, string path, string journalMode);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Debug, Message = "Write of {What} for {GrainId} rejected: held {Held}, stored {Stored}")]
    public static partial void WriteConflict(ILogger logger, string what, GrainId grainId, string held, string stored);
}
