using Microsoft.Extensions.Logging;

namespace FleaMarket.Persistence.Journals;

/// <summary>Source-generated logs of the journal engines.</summary>
internal static partial class JournalLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "{Engine} could not {Operation}")]
    public static partial void OperationFailed(ILogger logger, Exception exception, string engine, string operation);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information,
        Message = "PostgreSQL connection broken before {Operation} was committed (a server restart?); the pool is cleared and the operation runs once more")]
    public static partial void RetryingOnBrokenConnection(ILogger logger, Exception exception, string operation);
}
