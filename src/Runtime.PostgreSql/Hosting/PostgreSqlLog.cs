using Microsoft.Extensions.Logging;

namespace FleaMarket.Runtime.PostgreSql.Hosting;

/// <summary>Source-generated logs of the PostgreSQL providers.</summary>
internal static partial class PostgreSqlLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Applied PostgreSQL schema migration {Migration}")]
    public static partial void MigrationApplied(ILogger logger, string migration);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Debug, Message = "PostgreSQL schema is up to date ({Count} migrations known)")]
    public static partial void SchemaUpToDate(ILogger logger, int count);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "PostgreSQL operation failed: {Operation}")]
    public static partial void OperationFailed(ILogger logger, Exception exception, string operation);
}
