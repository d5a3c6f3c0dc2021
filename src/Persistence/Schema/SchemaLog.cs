using Microsoft.Extensions.Logging;

namespace FleaMarket.Persistence.Schema;

internal static partial class SchemaLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Applied schema script {Script} on {Engine} in {ElapsedMilliseconds} ms")]
    public static partial void ScriptApplied(ILogger logger, string script, DatabaseEngine engine, long elapsedMilliseconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Schema on {Engine} is up to date ({Scripts} scripts applied earlier)")]
    public static partial void UpToDate(ILogger logger, DatabaseEngine engine, int scripts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SQLite journal mode is {JournalMode}, not WAL: readers and the writer will block each other")]
    public static partial void NotWriteAheadLog(ILogger logger, string journalMode);
}
