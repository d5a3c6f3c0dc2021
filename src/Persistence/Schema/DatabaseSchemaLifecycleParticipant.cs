using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;

namespace FleaMarket.Persistence.Schema;

/// <summary>
/// Applies the schema in the silo lifecycle's first stage. Orleans' ADO.NET providers only touch the database in
/// later stages (membership and reminders at RuntimeGrainServices, storage at ApplicationServices), and a silo
/// starts its lifecycle stage by stage, so the tables and OrleansQuery rows exist before anyone reads them.
/// </summary>
internal sealed class DatabaseSchemaLifecycleParticipant(DatabaseSchemaTargets targets, ILoggerFactory loggerFactory)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(DatabaseSchemaLifecycleParticipant), ServiceLifecycleStage.First, ApplyAsync);

    private async Task ApplyAsync(CancellationToken cancellationToken)
    {
        var logger = loggerFactory.CreateLogger(typeof(DatabaseSchema));
        foreach (var (engine, connectionString) in targets.All)
        {
            await DatabaseSchema.ApplyAsync(engine, connectionString, logger, cancellationToken).ConfigureAwait(false);
        }
    }
}
