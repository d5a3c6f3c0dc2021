namespace FleaMarket.Persistence.Schema;

/// <summary>The database engines whose schema <see cref="DatabaseSchema"/> applies.</summary>
public enum DatabaseEngine
{
    /// <summary>
    /// PostgreSQL through Npgsql: grain state, reminders and clustering (Orleans' ADO.NET invariant <c>"Npgsql"</c>).
    /// The connection string is an Npgsql one, e.g. <c>Host=127.0.0.1;Port=5432;Username=fleamarket;Database=fleamarket</c>.
    /// </summary>
    PostgreSql,

    /// <summary>
    /// SQLite through Microsoft.Data.Sqlite: grain state (Orleans' ADO.NET invariant <c>"System.Data.SQLite"</c>).
    /// The connection string is a Microsoft.Data.Sqlite one, e.g. <c>Data Source=/var/lib/fleamarket/fleamarket.db</c>.
    /// </summary>
    Sqlite,
}
