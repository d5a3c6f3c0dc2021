namespace FleaMarket.Runtime.Activation;

/// <summary>
/// A monotonically rising version number that callers can wait on: "tell me once the watermark
/// has reached v". Used for "hand-off done up to view v" and "view v settled cluster-wide".
/// </summary>
internal sealed class VersionWatermark
{
    private readonly Lock _gate = new();
    private long _value = -1;
    private TaskCompletionSource _raised = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long Value
    {
        get
        {
            lock (_gate) return _value;
        }
    }

    public void Advance(long value)
    {
        TaskCompletionSource raised;
        lock (_gate)
        {
            if (value <= _value) return;
            _value = value;
            raised = _raised;
            _raised = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        raised.TrySetResult();
    }

    public async Task WaitForAsync(long value, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task raised;
            lock (_gate)
            {
                if (_value >= value) return;
                raised = _raised.Task;
            }

            await raised.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
