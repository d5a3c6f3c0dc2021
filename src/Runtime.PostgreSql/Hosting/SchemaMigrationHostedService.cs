using Microsoft.Extensions.Hosting;

namespace FleaMarket.Runtime.PostgreSql.Hosting;

/// <summary>
/// Applies the schema when the host starts, so a silo with an unreachable database or a failing script
/// stops at start instead of failing its first grain call.
/// </summary>
internal sealed class SchemaMigrationHostedService(PostgreSqlDatabase database) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await database.EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Npgsql.NpgsqlException e)
        {
            throw database.Failure("apply the FleaMarket schema at start", e);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
