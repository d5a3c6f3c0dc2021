using FleaMarket.Persistence.Schema;
using Orleans.TestingHost;

namespace FleaMarket.Persistence.Tests.Schema;

/// <summary>A one-silo cluster with Orleans' ADO.NET storage and reminders on a PostgreSQL database.</summary>
internal static class PostgreSqlTestSilo
{
    /// <summary>Orleans' invariant for Npgsql: Orleans loads Npgsql.NpgsqlFactory by reflection, nothing to register.</summary>
    public const string Invariant = "Npgsql";

    public static Task<InProcessTestCluster> StartAsync(string connectionString) =>
        SchemaTestCluster.StartAsync(silo =>
        {
            // Nothing is applied beforehand: the hook must run before the providers read OrleansQuery.
            silo.AddDatabaseSchema(DatabaseEngine.PostgreSql, connectionString);
            silo.AddAdoNetGrainStorage(SchemaTestStorage.Name, options =>
            {
                options.Invariant = Invariant;
                options.ConnectionString = connectionString;
            });
            silo.UseAdoNetReminderService(options =>
            {
                options.Invariant = Invariant;
                options.ConnectionString = connectionString;
            });
        });
}
