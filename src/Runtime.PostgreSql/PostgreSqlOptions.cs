using Npgsql;

namespace FleaMarket.Runtime.PostgreSql;

/// <summary>
/// Settings of the PostgreSQL providers (configuration section "PostgreSql"), shared by membership,
/// grain storage, journals and reminders of one host.
/// </summary>
public sealed class PostgreSqlOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "PostgreSql";

    /// <summary>Npgsql connection string, e.g. <c>Host=db;Database=fleamarket;Username=app;Password=...</c>. Required; no default.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Separates the grain state, journals and reminders of services sharing one database. Every silo of a
    /// service must use the same value. Default "fleamarket".
    /// </summary>
    public string ServiceId { get; set; } = "fleamarket";

    /// <summary>Separates the membership tables of clusters sharing one database. Default "fleamarket".</summary>
    public string ClusterId { get; set; } = "fleamarket";

    /// <summary>Largest accepted serialized grain state, in bytes; larger writes fail before reaching the database. Default 1 MiB.</summary>
    public int MaxStateBytes { get; set; } = 1024 * 1024;

    /// <summary>Throws naming the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new InvalidOperationException(
                $"PostgreSql setting {nameof(ConnectionString)} is required (configuration key {SectionName}:{nameof(ConnectionString)}).");
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(ConnectionString);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"PostgreSql setting {nameof(ConnectionString)} is not a valid connection string: {e.Message}", e);
        }

        if (string.IsNullOrWhiteSpace(ServiceId)) throw new InvalidOperationException($"PostgreSql setting {nameof(ServiceId)} must not be empty.");
        if (string.IsNullOrWhiteSpace(ClusterId)) throw new InvalidOperationException($"PostgreSql setting {nameof(ClusterId)} must not be empty.");
        if (MaxStateBytes <= 0) throw new InvalidOperationException($"PostgreSql setting {nameof(MaxStateBytes)} must be greater than zero, not {MaxStateBytes}.");
    }
}
