using Microsoft.Data.Sqlite;

namespace FleaMarket.Persistence.Tests.Schema;

/// <summary>A fresh directory for SQLite files, deleted again with everything in it.</summary>
internal sealed class TemporaryDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("fm-schema-").FullName;

    /// <summary>A Microsoft.Data.Sqlite connection string for a file under this directory.</summary>
    public string SqliteConnectionString(string relativeFile = "fleamarket.db") =>
        $"Data Source={System.IO.Path.Combine(Path, relativeFile)}";

    public void Dispose()
    {
        // Pooled connections keep the files open.
        SqliteConnection.ClearAllPools();
        Directory.Delete(Path, recursive: true);
    }
}
