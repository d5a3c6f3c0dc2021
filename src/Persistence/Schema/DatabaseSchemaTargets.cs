namespace FleaMarket.Persistence.Schema;

/// <summary>The databases a silo migrates at start, each once, in the order <c>AddDatabaseSchema</c> named them.</summary>
internal sealed class DatabaseSchemaTargets
{
    private readonly List<(DatabaseEngine Engine, string ConnectionString)> _targets = [];

    public IReadOnlyList<(DatabaseEngine Engine, string ConnectionString)> All => _targets;

    public void Add(DatabaseEngine engine, string connectionString)
    {
        if (!_targets.Contains((engine, connectionString)))
        {
            _targets.Add((engine, connectionString));
        }
    }
}
