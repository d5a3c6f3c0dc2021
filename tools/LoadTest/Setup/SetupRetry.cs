using FleaMarket.LoadTest.Api;

namespace FleaMarket.LoadTest.Setup;

/// <summary>
/// Retries a setup or verification request while the API says "later": 503 (a node not ready yet) and 429 (the
/// login rate limit, honouring Retry-After), and connection errors for a few attempts. Anything else is final.
/// </summary>
internal static class SetupRetry
{
    private const int MaxAttempts = 8;
    private static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(65);

    public static async Task<ApiResponse<T>> RunAsync<T>(string what, Func<CancellationToken, Task<ApiResponse<T>>> send, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            ApiResponse<T> response;
            try
            {
                response = await send(ct).ConfigureAwait(false);
            }
            catch (HttpRequestException) when (attempt < 3)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250 * attempt), ct).ConfigureAwait(false);
                continue;
            }
            catch (HttpRequestException e)
            {
                throw new ApiException($"{what}: cannot reach the API ({e.Message}).", e);
            }
            catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
            {
                throw new ApiException($"{what}: the API did not answer in time.", e);
            }

            if (response.Status is not (503 or 429) || attempt >= MaxAttempts) return response;
            var wait = response.RetryAfter ?? TimeSpan.FromMilliseconds(200 * attempt);
            await Task.Delay(wait < LongestWait ? wait : LongestWait, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Runs <paramref name="body"/> for every index with at most <paramref name="parallelism"/> at once.</summary>
    public static Task ForEachAsync(int count, int parallelism, CancellationToken ct, Func<int, CancellationToken, ValueTask> body) =>
        Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct }, body);
}
