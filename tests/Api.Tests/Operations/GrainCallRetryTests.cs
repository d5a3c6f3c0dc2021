using FleaMarket.Api;
using FleaMarket.Api.Operations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orleans.Runtime;

namespace FleaMarket.Api.Tests.Operations;

public sealed class GrainCallRetryTests
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    /// <summary>A request as the API's pipeline hands it on: stamped with its start on the fake clock.</summary>
    private HttpContext Request()
    {
        var services = new ServiceCollection().AddSingleton<TimeProvider>(_clock).BuildServiceProvider();
        var app = new ApplicationBuilder(services);
        GrainCallRetry.UseRequestBudget(app);
        var context = new DefaultHttpContext();
        app.Build()(context).GetAwaiter().GetResult();
        return context;
    }

    private GrainCallRetry Retry(int retries = 1, double budgetSeconds = 15) =>
        new(Options.Create(new ApiOptions { GrainCallRetries = retries, GrainCallBudget = TimeSpan.FromSeconds(budgetSeconds) }), _clock,
            NullLogger<GrainCallRetry>.Instance);

    [Fact]
    public async Task RunAsync_LostInTransportOnce_RepeatsAfterThePauseAndReturnsTheAnswer()
    {
        var calls = 0;
        var run = Retry().RunAsync("test", () => ++calls == 1 ? Task.FromException<int>(new TimeoutException("no answer")) : Task.FromResult(42), Request());

        // The first attempt failed at once; the repeat waits for the pause on the injected clock.
        Assert.False(run.IsCompleted);
        _clock.Advance(GrainCallRetry.Pause);

        Assert.Equal(42, await run.WaitAsync(s_deadline));
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task RunAsync_AnswerOrRefusal_IsNotRepeated()
    {
        var calls = 0;
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Retry().RunAsync<int>("test", () => { calls++; throw new InvalidOperationException("a grain's own failure"); }, Request()).WaitAsync(s_deadline));

        Assert.Equal("a grain's own failure", error.Message);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task RunAsync_LostEveryTime_ThrowsTheLastLossAfterTheConfiguredRepeats()
    {
        var calls = 0;
        var run = Retry(retries: 2).RunAsync<int>("test", () => Task.FromException<int>(new SiloUnavailableException($"lost {++calls}")), Request());
        _clock.Advance(GrainCallRetry.Pause);
        _clock.Advance(GrainCallRetry.Pause);

        var error = await Assert.ThrowsAsync<SiloUnavailableException>(() => run.WaitAsync(s_deadline));
        Assert.Equal(3, calls);
        Assert.Contains("lost 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_RepeatsOff_ThrowsTheFirstLoss()
    {
        var calls = 0;
        await Assert.ThrowsAsync<TimeoutException>(() =>
            Retry(retries: 0).RunAsync<int>("test", () => { calls++; return Task.FromException<int>(new TimeoutException()); }, Request()).WaitAsync(s_deadline));

        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task RunAsync_BudgetSpentByTheFirstAttempt_DoesNotRepeat()
    {
        var calls = 0;
        await Assert.ThrowsAsync<TimeoutException>(() => Retry(budgetSeconds: 15).RunAsync<int>("test", () =>
        {
            calls++;
            _clock.Advance(TimeSpan.FromSeconds(15));
            return Task.FromException<int>(new TimeoutException());
        }, Request()).WaitAsync(s_deadline));

        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task RunAsync_RepeatOutlastingTheBudget_EndsWithTimeoutAtTheBudget()
    {
        var calls = 0;
        var never = new TaskCompletionSource<int>();
        var run = Retry(budgetSeconds: 15).RunAsync("test", () =>
        {
            if (++calls > 1) return never.Task;
            _clock.Advance(TimeSpan.FromSeconds(10));
            return Task.FromException<int>(new TimeoutException());
        }, Request());
        _clock.Advance(GrainCallRetry.Pause);
        Assert.Equal(2, calls);
        Assert.False(run.IsCompleted);

        _clock.Advance(TimeSpan.FromSeconds(5));

        await Assert.ThrowsAsync<TimeoutException>(() => run.WaitAsync(s_deadline));
    }

    [Fact]
    public async Task RunAsync_SecondCallOfARequest_GetsOnlyWhatTheFirstLeftOfTheBudget()
    {
        var retry = Retry(budgetSeconds: 15);
        var request = Request();
        // The session read took 12 s (its first attempt was lost, the repeat answered).
        var authenticated = retry.RunAsync("authenticate", () =>
        {
            _clock.Advance(TimeSpan.FromSeconds(12));
            return Task.FromResult(true);
        }, request);
        Assert.True(await authenticated.WaitAsync(s_deadline));

        var never = new TaskCompletionSource<int>();
        var purchase = retry.RunAsync("purchase", () => never.Task, request);
        _clock.Advance(TimeSpan.FromSeconds(2.9));
        Assert.False(purchase.IsCompleted);

        // 15 s after the request came in, not 15 s after the purchase began.
        _clock.Advance(TimeSpan.FromSeconds(0.1));
        await Assert.ThrowsAsync<TimeoutException>(() => purchase.WaitAsync(s_deadline));
    }

    [Fact]
    public async Task RunAsync_FirstAttemptOutlastingTheBudget_EndsWithTimeoutAtTheBudget()
    {
        var never = new TaskCompletionSource<int>();
        var run = Retry(budgetSeconds: 3).RunAsync("test", () => never.Task, Request());

        _clock.Advance(TimeSpan.FromSeconds(3));

        await Assert.ThrowsAsync<TimeoutException>(() => run.WaitAsync(s_deadline));
    }

    [Fact]
    public async Task RunAsync_CallRejectedWithACancellationFromTheCluster_IsSentAgain()
    {
        var calls = 0;
        var run = Retry(budgetSeconds: 15).RunAsync("test", () =>
            ++calls == 1 ? Task.FromException<int>(new OperationCanceledException()) : Task.FromResult(7), Request());
        _clock.Advance(GrainCallRetry.Pause);

        Assert.Equal(7, await run.WaitAsync(s_deadline));
        Assert.Equal(2, calls);
    }

    [Fact]
    public void IsLostInTransport_TransportLossesOnly()
    {
        Assert.True(GrainCallRetry.IsLostInTransport(new TimeoutException()));
        Assert.True(GrainCallRetry.IsLostInTransport(new SiloUnavailableException()));
        Assert.True(GrainCallRetry.IsLostInTransport(new OperationCanceledException()));
        Assert.True(GrainCallRetry.IsLostInTransport(new AggregateException(new TimeoutException(), new SiloUnavailableException())));
        Assert.False(GrainCallRetry.IsLostInTransport(new AggregateException(new TimeoutException(), new InvalidOperationException())));
        Assert.False(GrainCallRetry.IsLostInTransport(new AggregateException()));
        Assert.False(GrainCallRetry.IsLostInTransport(new InvalidOperationException()));
        Assert.False(GrainCallRetry.IsLostInTransport(new OrleansException("a storage provider failed")));
    }

    [Fact]
    public void IsUnavailable_CancellationFromTheCluster_Is503()
    {
        Assert.True(FleaMarket.Api.Hosting.ApiHosting.IsUnavailable(new OperationCanceledException()));
        Assert.True(FleaMarket.Api.Hosting.ApiHosting.IsUnavailable(new TaskCanceledException()));
        Assert.False(FleaMarket.Api.Hosting.ApiHosting.IsUnavailable(new InvalidOperationException()));
    }

    [Theory]
    [InlineData(-1, 15, "GrainCallRetries")]
    [InlineData(4, 15, "GrainCallRetries")]
    [InlineData(1, 0, "GrainCallBudget")]
    [InlineData(1, 121, "GrainCallBudget")]
    public void Validate_OutOfRange_NamesTheSetting(int retries, double budgetSeconds, string setting)
    {
        var options = new ApiOptions { GrainCallRetries = retries, GrainCallBudget = TimeSpan.FromSeconds(budgetSeconds) };

        var error = Assert.Throws<InvalidOperationException>(options.Validate);

        Assert.Contains($"Api:{setting}", error.Message, StringComparison.Ordinal);
    }
}
