namespace FleaMarket.Persistence.Schema;

/// <summary>One schema file: its file name (the key recorded once applied) and its SQL.</summary>
internal sealed record SchemaScript(string Name, string Sql);
