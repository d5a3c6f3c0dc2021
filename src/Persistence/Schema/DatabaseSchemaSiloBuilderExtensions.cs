using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Hosting;
using Orleans.Runtime;

namespace FleaMarket.Persistence.Schema;

/// <summary>Runs <see cref="DatabaseSchema.ApplyAsync(DatabaseEngine, string, Microsoft.Extensions.Logging.ILogger?, CancellationToken)"/> when a silo starts, before Orleans' providers use the database.</summary>
public static class DatabaseSchemaSiloBuilderExtensions
{
    /// <summary>
    /// Applies the schema of <paramref name="engine"/> to <paramref name="connectionString"/> in the silo lifecycle's
    /// first stage (<see cref="ServiceLifecycleStage.First"/>). Orleans' ADO.NET providers read their queries later:
    /// the membership table and the reminder table at <see cref="ServiceLifecycleStage.RuntimeGrainServices"/>,
    /// grain storage at <see cref="ServiceLifecycleStage.ApplicationServices"/> (its default InitStage). A failure
    /// stops the silo's start. Calling it again with the same engine and connection string adds nothing; with
    /// another database, both are migrated, in the order added.
    /// </summary>
    public static ISiloBuilder AddDatabaseSchema(this ISiloBuilder builder, DatabaseEngine engine, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);

        var targets = builder.Services
            .Select(descriptor => descriptor.ImplementationInstance)
            .OfType<DatabaseSchemaTargets>()
            .FirstOrDefault();
        if (targets is null)
        {
            targets = new DatabaseSchemaTargets();
            builder.Services.AddSingleton(targets);
        }

        targets.Add(engine, connectionString);
        builder.Services.TryAddEnumerable(
            ServiceDescriptor.Singleton<ILifecycleParticipant<ISiloLifecycle>, DatabaseSchemaLifecycleParticipant>());
        return builder;
    }
}
