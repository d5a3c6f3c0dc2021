namespace FleaMarket.Runtime.Redis.Resp;

/// <summary>Connecting, the AUTH/SELECT handshake, and reconnecting with backoff after a drop.</summary>
internal sealed partial class RedisConnection
{
    private static readonly TimeSpan s_firstBackoff = TimeSpan.FromMilliseconds(50);

    private async Task ReconnectLoopAsync()
    {
        var failures = 0;
        while (!_disposing.IsCancellationRequested)
        {
            try
            {
                var session = await ConnectOnceAsync().ConfigureAwait(false);
                failures = 0;
                Volatile.Write(ref _lastConnectError, null);
                _connected = true;
                _logger.Connected(Endpoint, _options.Database);
                await session.Completion.WaitAsync(_disposing.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                _connected = false;
                if (_disposing.IsCancellationRequested)
                {
                    await session.DisposeAsync().ConfigureAwait(false);
                    break;
                }

                Volatile.Write(ref _lastConnectError, session.CloseReason);
                _logger.Disconnected(session.CloseReason, Endpoint, session.FailedInFlight);
            }
            catch (Exception) when (_disposing.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                Volatile.Write(ref _lastConnectError, exception);
                var backoff = Backoff(failures++);
                _logger.ConnectFailed(exception, Endpoint, failures, backoff);
                await Task.Delay(backoff, _time, _disposing.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task<RedisSession> ConnectOnceAsync()
    {
        using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _disposing.Token);
        RedisSession? session = null;
        try
        {
            session = await RedisSession.ConnectAsync(_host, _port, linked.Token).ConfigureAwait(false);
            session.Start(_outbox.Reader);
            if (_options.Password is not null)
            {
                await session.HandshakeAsync(_options.User is null ? ["AUTH", _options.Password] : ["AUTH", _options.User, _options.Password], linked.Token).ConfigureAwait(false);
            }

            if (_options.Database != 0) await session.HandshakeAsync(["SELECT", _options.Database], linked.Token).ConfigureAwait(false);
            session.OpenOutbox();
            return session;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !_disposing.IsCancellationRequested)
        {
            if (session is not null) await session.DisposeAsync().ConfigureAwait(false);
            throw new RedisConnectionException($"Connecting to Redis at {Endpoint} took longer than {_options.ConnectTimeout}.");
        }
        catch
        {
            if (session is not null) await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>50 ms doubling per failure up to the maximum, with jitter so silos do not reconnect in lockstep.</summary>
    private TimeSpan Backoff(int failures)
    {
        var doubled = s_firstBackoff * Math.Pow(2, Math.Min(failures, 16));
        var capped = doubled < _options.MaxReconnectBackoff ? doubled : _options.MaxReconnectBackoff;
        return capped * (0.8 + (0.4 * Random.Shared.NextDouble()));
    }
}
