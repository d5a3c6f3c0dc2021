namespace FleaMarket.LoadTest.Faults;

/// <summary>
/// Where each grain lived when the snapshot was taken: <c>silo&lt;TAB&gt;grainType&lt;TAB&gt;key</c> lines, as
/// <c>deploy/netns/cluster.sh placement</c> prints them from each silo's admin /placement.
/// </summary>
internal sealed class PlacementSnapshot
{
    private readonly Dictionary<(string Type, string Key), string> _silos;

    private PlacementSnapshot(Dictionary<(string Type, string Key), string> silos, IReadOnlyList<string> duplicates) =>
        (_silos, Duplicates) = (silos, duplicates);

    /// <summary>Grains in the snapshot.</summary>
    public int Count => _silos.Count;

    /// <summary>
    /// Grains listed by two silos (the single-activation guarantee broken, or a grain that moved while the silos were
    /// asked one after another); each is kept on the first silo that listed it.
    /// </summary>
    public IReadOnlyList<string> Duplicates { get; }

    /// <summary>The silo of a grain, or null when no silo listed it.</summary>
    public string? SiloOf(string grainType, string key) => _silos.GetValueOrDefault((grainType, key));

    /// <summary>Reads the lines; blank lines are skipped, anything else without three tab-separated fields is an error.</summary>
    public static PlacementSnapshot Parse(TextReader reader)
    {
        var silos = new Dictionary<(string, string), string>();
        var duplicates = new List<string>();
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (line.Length == 0) continue;
            var fields = line.Split('\t');
            if (fields.Length != 3 || fields.Any(f => f.Length == 0))
            {
                throw new FormatException($"Placement line {number} is not 'silo<TAB>grainType<TAB>key': '{line}'.");
            }

            if (!silos.TryAdd((fields[1], fields[2]), fields[0]) && silos[(fields[1], fields[2])] != fields[0])
            {
                duplicates.Add($"{fields[1]}/{fields[2]}");
            }
        }

        return new PlacementSnapshot(silos, duplicates);
    }
}
