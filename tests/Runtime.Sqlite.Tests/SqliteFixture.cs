using FleaMarket.Runtime.Sqlite.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace FleaMarket.Runtime.Sqlite.Tests;

/// <summary>
/// A temporary directory with one database file shared by a test class (tests use fresh grain ids);
/// every database opened through it is closed and the directory deleted at the end.
/// </summary>
public sealed class SqliteFixture : IAsyncLifetime
{
    private readonly List<SqliteDatabase> _opened = [];

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "fleamarket-sqlite-" + Guid.NewGuid().ToString("N"));

    /// <summary>The shared database file, in a subdirectory that does not exist yet (the provider creates it).</summary>
    public string SharedPath => Path.Combine(Directory, "shared", "fleamarket.db");

    internal SqliteDatabase Shared { get; private set; } = null!;

    /// <summary>A new database object (its own connections) on <paramref name="path"/>, closed with the fixture.</summary>
    internal SqliteDatabase Open(string path)
    {
        var database = new SqliteDatabase(path, TimeSpan.FromSeconds(5), NullLogger.Instance);
        lock (_opened) _opened.Add(database);
        return database;
    }

    /// <summary>A path for a test's own database file.</summary>
    public string NewPath() => Path.Combine(Directory, Guid.NewGuid().ToString("N") + ".db");

    public Task InitializeAsync()
    {
        Shared = Open(SharedPath);
        return Shared.InitializeAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        foreach (var database in _opened) await database.DisposeAsync();
        if (System.IO.Directory.Exists(Directory)) System.IO.Directory.Delete(Directory, recursive: true);
    }
}
