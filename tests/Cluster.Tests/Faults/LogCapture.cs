using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace FleaMarket.Cluster.Tests.Faults;

/// <summary>Keeps the warnings and errors of every silo of a test cluster, so a test can wait on what the silos saw.</summary>
internal sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _messages = new();

    public IEnumerable<string> Messages => _messages;

    public int Count(string fragment, string? alsoContaining = null) =>
        _messages.Count(m => m.Contains(fragment, StringComparison.Ordinal) && (alsoContaining is null || m.Contains(alsoContaining, StringComparison.Ordinal)));

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) capture._messages.Enqueue(formatter(state, exception));
        }
    }
}
