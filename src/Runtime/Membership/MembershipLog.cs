using Microsoft.Extensions.Logging;

namespace FleaMarket.Runtime.Membership;

/// <summary>Source-generated logs of the membership protocol.</summary>
internal static partial class MembershipLog
{
    [LoggerMessage(1001, LogLevel.Information, "Silo {Silo} wrote itself {Status} at table version {Version}")]
    public static partial void WroteOwnStatus(this ILogger logger, SiloAddress silo, SiloStatus status, long version);

    [LoggerMessage(1002, LogLevel.Information, "Silo {Silo} adopted membership view {Version} with {ActiveCount} Active silos")]
    public static partial void AdoptedView(this ILogger logger, SiloAddress silo, long version, int activeCount);

    [LoggerMessage(1003, LogLevel.Warning, "Silo {Silo} missed probe {Misses} in a row of {Target}")]
    public static partial void ProbeMissed(this ILogger logger, SiloAddress silo, SiloAddress target, int misses);

    [LoggerMessage(1004, LogLevel.Warning, "Silo {Silo} voted {Target} suspect at table version {Version} ({Votes} of {Needed} votes)")]
    public static partial void VotedSuspect(this ILogger logger, SiloAddress silo, SiloAddress target, long version, int votes, int needed);

    [LoggerMessage(1005, LogLevel.Warning, "Silo {Silo} declared {Target} dead at table version {Version}")]
    public static partial void DeclaredPeerDead(this ILogger logger, SiloAddress silo, SiloAddress target, long version);

    [LoggerMessage(1006, LogLevel.Error, "Silo {Silo} read itself dead in table version {Version}; it stops serving")]
    public static partial void ReadSelfDead(this ILogger logger, SiloAddress silo, long version);

    [LoggerMessage(1007, LogLevel.Warning, "Silo {Silo} membership {Operation} failed; keeping view {Version} and retrying on the next tick")]
    public static partial void TableOperationFailed(this ILogger logger, Exception exception, SiloAddress silo, string operation, long version);

    [LoggerMessage(1008, LogLevel.Warning, "Silo {Silo} could not tell its peers that the table moved")]
    public static partial void NotifyFailed(this ILogger logger, Exception exception, SiloAddress silo);

    [LoggerMessage(1009, LogLevel.Error, "A membership view handler of silo {Silo} threw")]
    public static partial void HandlerFailed(this ILogger logger, Exception exception, SiloAddress silo);

    [LoggerMessage(1010, LogLevel.Information, "Silo {Silo} is waiting to join for {Pending} Active silos that neither answer nor are declared dead")]
    public static partial void JoinWaiting(this ILogger logger, SiloAddress silo, string pending);

    [LoggerMessage(1011, LogLevel.Information, "Silo {Silo} removed {Count} defunct rows from the membership table")]
    public static partial void CleanedUp(this ILogger logger, SiloAddress silo, int count);

    [LoggerMessage(1012, LogLevel.Information, "Silo {Silo} declared its previous generation {Previous} dead at table version {Version}")]
    public static partial void DeclaredPreviousGenerationDead(this ILogger logger, SiloAddress silo, SiloAddress previous, long version);

    [LoggerMessage(1013, LogLevel.Warning, "Silo {Silo} declared {Stale} dead while joining: no probe answer and no I-am-alive for several periods (table version {Version})")]
    public static partial void DeclaredStaleSiloDead(this ILogger logger, SiloAddress silo, SiloAddress stale, long version);

    [LoggerMessage(1014, LogLevel.Critical, "Silo {Silo} read membership table version {TableVersion}, older than its view {ViewVersion} and without its own row: the table lost its data. Serving on the last view; make the table's engine persistent (Redis: appendonly yes) and restart the cluster")]
    public static partial void TableLostData(this ILogger logger, SiloAddress silo, long tableVersion, long viewVersion);
}
