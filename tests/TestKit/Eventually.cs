namespace FleaMarket.TestKit;

/// <summary>Waiting on a condition with a deadline — the tests' replacement for sleeping.</summary>
public static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test with <paramref name="what"/> after <paramref name="timeout"/> (default 10 s).</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what = "condition", TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.");
            await Task.Delay(PollInterval);
        }
    }

    /// <summary>The same for an asynchronous condition.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what = "condition", TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.");
            await Task.Delay(PollInterval);
        }
    }
}
