using System.Collections.Concurrent;
using FleaMarket.Runtime;
using FleaMarket.Runtime.Membership;

namespace FleaMarket.Runtime.Tests.Grains;

/// <summary>
/// Test-side record of live activations: every activation registers itself on activation and leaves on
/// deactivation; a second live activation of one grain is recorded as a violation of single activation.
/// </summary>
public static class ActivationRegistry
{
    private static readonly ConcurrentDictionary<GrainId, SiloAddress> Live = new();
    private static readonly ConcurrentQueue<string> ViolationLog = new();
    private static readonly ConcurrentDictionary<GrainId, int> Deactivations = new();

    public static IReadOnlyCollection<string> Violations => ViolationLog;

    public static void Activated(GrainId grain, SiloAddress silo)
    {
        if (!Live.TryAdd(grain, silo) && Live.TryGetValue(grain, out var other))
        {
            ViolationLog.Enqueue($"{grain} activated on {silo} while live on {other}");
        }
    }

    public static void Deactivated(GrainId grain, SiloAddress silo)
    {
        Live.TryRemove(new KeyValuePair<GrainId, SiloAddress>(grain, silo));
        Deactivations.AddOrUpdate(grain, 1, (_, n) => n + 1);
    }

    /// <summary>A killed silo's activations vanish without deactivating, as in a crashed process.</summary>
    public static void SiloKilled(SiloAddress silo)
    {
        foreach (var (grain, owner) in Live)
        {
            if (owner == silo) Live.TryRemove(new KeyValuePair<GrainId, SiloAddress>(grain, owner));
        }
    }

    private static readonly ConcurrentDictionary<GrainId, TaskCompletionSource> Blocking = new();

    public static void BlockStarted(GrainId grain) => BlockStartedTask(grain).TrySetResult();

    /// <summary>Completes once the grain's Block request is running.</summary>
    public static Task WhenBlocking(GrainId grain) => BlockStartedTask(grain).Task;

    private static TaskCompletionSource BlockStartedTask(GrainId grain) =>
        Blocking.GetOrAdd(grain, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public static int DeactivationCount(GrainId grain) => Deactivations.GetValueOrDefault(grain);

    public static bool IsLive(GrainId grain) => Live.ContainsKey(grain);
}
