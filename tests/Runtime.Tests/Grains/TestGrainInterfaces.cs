using FleaMarket.Runtime;

namespace FleaMarket.Runtime.Tests.Grains;

public interface IEchoGrain : IGrainWithStringKey
{
    Task<string> Echo(string text);
    Task<string> WhereAmI();
    Task Fail(string message);
    Task<EchoRecord> Roundtrip(EchoRecord record);
}

public interface IGuidKeyGrain : IGrainWithGuidKey
{
    Task<Guid> GetKey();
}

public interface ILongKeyGrain : IGrainWithIntegerKey
{
    Task<long> GetKey();
}

public sealed record EchoRecord(string Name, int Count, IReadOnlyList<string> Tags, DateTimeOffset At);

/// <summary>Thrown by a grain to prove exceptions keep their type across silos.</summary>
public sealed class ListingSoldOutTestException(string message) : Exception(message);

public interface ICounterGrain : IGrainWithStringKey
{
    /// <summary>Read, await, write: loses updates unless turns are exclusive.</summary>
    Task<int> Increment();
    Task<int> Get();
}

public interface IRendezvousGrain : IGrainWithStringKey
{
    /// <summary>Completes only once another call has arrived at the same activation.</summary>
    Task<bool> MeetPartner();
}

public interface IReadOnlyRendezvousGrain : IGrainWithStringKey
{
    /// <summary>Read-only: two such requests may run interleaved on a non-reentrant grain.</summary>
    [ReadOnly]
    Task<bool> MeetPartner();
}

public interface IStoredCounterGrain : IGrainWithStringKey
{
    /// <summary>Increments and writes the state before returning.</summary>
    Task<int> Increment();
    [ReadOnly]
    Task<int> Get();
}

public interface ISlowGrain : IGrainWithStringKey
{
    /// <summary>Never completes.</summary>
    Task Hang();
    Task Ping();
    /// <summary>Runs until <see cref="Release"/> is called (always interleaves so it can be called).</summary>
    Task Block();
    [AlwaysInterleave]
    Task Release();
}
