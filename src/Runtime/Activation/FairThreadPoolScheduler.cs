namespace FleaMarket.Runtime.Activation;

/// <summary>
/// Runs activation work from the thread pool's global queue. The default scheduler queues work started on a
/// pool thread to that thread's local queue, so a grain calling grains in a loop keeps its own work ahead of
/// socket completions, timers and membership probes — enough to starve a silo until its peers vote it dead.
/// </summary>
internal sealed class FairThreadPoolScheduler : TaskScheduler
{
    public static FairThreadPoolScheduler Instance { get; } = new();

    private FairThreadPoolScheduler()
    {
    }

    protected override void QueueTask(Task task) =>
        ThreadPool.UnsafeQueueUserWorkItem(static state => Instance.TryExecuteTask(state), task, preferLocal: false);

    // Never inline: an activation's pieces run in queue order on the exclusive scheduler above this one.
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

    protected override IEnumerable<Task>? GetScheduledTasks() => null;
}
