namespace FleaMarket.Runtime.Persistence;

/// <summary>A grain state serialized to more bytes than its storage provider accepts; nothing was written.</summary>
public sealed class GrainStateTooLargeException : Exception
{
    public GrainStateTooLargeException(string message) : base(message) { }

    /// <summary>Creates the error for a state of <paramref name="size"/> bytes against a limit of <paramref name="limit"/>.</summary>
    public static GrainStateTooLargeException For(string stateName, GrainId grainId, long size, long limit) =>
        new($"State '{stateName}' of {grainId} is {size} bytes serialized; the storage limit is {limit} bytes. Nothing was written.");
}
