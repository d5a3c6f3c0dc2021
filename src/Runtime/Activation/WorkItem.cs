using FleaMarket.Runtime.Invocation;

namespace FleaMarket.Runtime.Activation;

/// <summary>One request (or timer tick) waiting for, or running in, a turn of an activation.</summary>
internal sealed class WorkItem(GrainMethod? method, object?[] arguments, Func<object, CancellationToken, Task>? timerCallback = null)
{
    /// <summary>The grain method, or null for a timer tick.</summary>
    public GrainMethod? Method { get; } = method;

    public object?[] Arguments { get; } = arguments;

    public Func<object, CancellationToken, Task>? TimerCallback { get; } = timerCallback;

    /// <summary>When the request reached the silo (Stopwatch timestamp), for the dashboard's latency.</summary>
    public long Received { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>Result of the call; faults with the grain's exception, or with <see cref="NotOwnerException"/> if it must go elsewhere.</summary>
    public TaskCompletionSource<object?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsReadOnly => Method?.IsReadOnly ?? false;

    public bool IsAlwaysInterleave => Method?.IsAlwaysInterleave ?? false;

    public static WorkItem ForTimer(Func<object, CancellationToken, Task> callback) => new(null, [], callback);
}
