using FleaMarket.Persistence.Schema;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Runtime;

namespace FleaMarket.Persistence.Tests.Schema;

public sealed class DatabaseSchemaSiloBuilderExtensionsTests
{
    [Fact]
    public void AddDatabaseSchema_CalledTwiceForOneDatabase_RegistersOneParticipantAndOneTarget()
    {
        using var host = BuildSilo(silo => silo
            .AddDatabaseSchema(DatabaseEngine.Sqlite, "Data Source=a.db")
            .AddDatabaseSchema(DatabaseEngine.Sqlite, "Data Source=a.db"));

        Assert.Single(host.Services.GetServices<ILifecycleParticipant<ISiloLifecycle>>().OfType<DatabaseSchemaLifecycleParticipant>());
        Assert.Equal([(DatabaseEngine.Sqlite, "Data Source=a.db")], host.Services.GetRequiredService<DatabaseSchemaTargets>().All);
    }

    [Fact]
    public void AddDatabaseSchema_TwoDatabases_MigratesBothInTheOrderAdded()
    {
        using var host = BuildSilo(silo => silo
            .AddDatabaseSchema(DatabaseEngine.PostgreSql, "Host=db;Database=fleamarket")
            .AddDatabaseSchema(DatabaseEngine.Sqlite, "Data Source=a.db"));

        Assert.Single(host.Services.GetServices<ILifecycleParticipant<ISiloLifecycle>>().OfType<DatabaseSchemaLifecycleParticipant>());
        Assert.Equal(
            [(DatabaseEngine.PostgreSql, "Host=db;Database=fleamarket"), (DatabaseEngine.Sqlite, "Data Source=a.db")],
            host.Services.GetRequiredService<DatabaseSchemaTargets>().All);
    }

    // Built, never started: nothing listens and nothing touches a database.
    private static IHost BuildSilo(Action<ISiloBuilder> configure)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering();
            configure(silo);
        });
        return builder.Build();
    }
}
