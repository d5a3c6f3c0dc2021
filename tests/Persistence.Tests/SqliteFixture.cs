using FleaMarket.Persistence.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace FleaMarket.Persistence.Tests;

/// <summary>
/// A temporary directory for a test class's SQLite files. Databases opened through it are closed, and the directory
/// deleted, when the class is done, whether its tests passed or not.
/// </summary>
public sealed class SqliteFixture : IAsyncLifetime
{
    private readonly List<SqliteDatabase> _opened = [];

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "fm-persistence-" + Guid.NewGuid().ToString("N"));

    /// <summary>A path for a new database file in a subdirectory that does not exist yet.</summary>
    public string NewPath() => Path.Combine(Directory, Guid.NewGuid().ToString("N"), "fleamarket.db");

    /// <summary>A new file with <paramref name="scripts"/> applied; returns its path.</summary>
    public async Task<string> NewDatabaseAsync(params string[] scripts)
    {
        var path = NewPath();
        await TestSchema.ApplySqliteAsync(path, scripts);
        return path;
    }

    /// <summary>A new database object (its own connections) on <paramref name="path"/>, closed with the fixture.</summary>
    internal SqliteDatabase Open(string path)
    {
        var database = new SqliteDatabase($"Data Source={path}", TimeSpan.FromSeconds(5), NullLogger.Instance);
        lock (_opened) _opened.Add(database);
        return database;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var database in _opened) await database.DisposeAsync();
        if (System.IO.Directory.Exists(Directory)) System.IO.Directory.Delete(Directory, recursive: true);
    }
}
