namespace FleaMarket.Persistence.Schema;

/// <summary>
/// The scripts of deploy/sql/{engine}, embedded by the project file under
/// <c>FleaMarket.Persistence.Schema.{engine}.{file}</c>, in the order they apply: by file name, ordinal.
/// </summary>
internal static class SchemaScripts
{
    private const string ResourcePrefix = "FleaMarket.Persistence.Schema.";

    public static IReadOnlyList<SchemaScript> For(DatabaseEngine engine)
    {
        var prefix = $"{ResourcePrefix}{FolderOf(engine)}.";
        var assembly = typeof(SchemaScripts).Assembly;
        return
        [
            .. assembly.GetManifestResourceNames()
                .Where(resource => resource.StartsWith(prefix, StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)
                .Select(resource => new SchemaScript(resource[prefix.Length..], Read(resource))),
        ];

        string Read(string resource)
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }

    private static string FolderOf(DatabaseEngine engine) => engine switch
    {
        DatabaseEngine.PostgreSql => "postgresql",
        DatabaseEngine.Sqlite => "sqlite",
        _ => throw new ArgumentOutOfRangeException(nameof(engine), engine, "Unknown database engine."),
    };
}
