using FleaMarket.Persistence.GrainState;
using FleaMarket.Persistence.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Hosting;
using Orleans.Providers;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace FleaMarket.Persistence;

/// <summary>Silo entry point for grain state in a SQLite file through Orleans' ADO.NET storage.</summary>
public static class SqliteGrainStorageSiloBuilderExtensions
{
    private const string AdoNetName = "fleamarket-sqlite-adonet";

    /// <summary>
    /// Makes Orleans' ADO.NET grain storage on the SQLite file of <paramref name="connectionString"/> the default
    /// storage, its writes serialised through the file's write lock (see <see cref="SqliteGrainStorage"/>). The
    /// tables and queries (deploy/sql/sqlite) must be applied before the silo starts (AddDatabaseSchema).
    /// </summary>
    public static ISiloBuilder AddSqliteGrainStorageAsDefault(this ISiloBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!SqliteSettings.IsFileConnectionString(connectionString))
        {
            throw new ArgumentException($"The SQLite grain storage connection string {SqliteSettings.ConnectionStringRule}.", nameof(connectionString));
        }

        // Orleans' ADO.NET storage speaks SQLite under this invariant; it loads Microsoft.Data.Sqlite's factory.
        builder.AddAdoNetGrainStorage(AdoNetName, o =>
        {
            o.Invariant = "System.Data.SQLite";
            o.ConnectionString = connectionString;
        });
        builder.Services.TryAddSingleton<SqliteDatabaseRegistry>();
        builder.Services.AddGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, (services, _) => new SqliteGrainStorage(
            services.GetRequiredKeyedService<IGrainStorage>(AdoNetName),
            services.GetRequiredService<SqliteDatabaseRegistry>().Get(connectionString, SqliteSettings.DefaultBusyTimeout)));
        return builder;
    }
}
