namespace FleaMarket.Cluster.Tests;

/// <summary>Waiting in cluster tests: the test kit's <see cref="TestKit.Eventually"/>, with the longer deadline real processes and engines need.</summary>
internal static class Eventually
{
    /// <summary>Default deadline of a cluster-test wait: 20 s.</summary>
    public static readonly TimeSpan ClusterDeadline = TimeSpan.FromSeconds(20);

    public static Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan deadline) =>
        TestKit.Eventually.WaitUntilAsync(condition, what, deadline);

    public static Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan deadline) =>
        TestKit.Eventually.WaitUntilAsync(condition, what, deadline);
}
