using System.Text.Json;
using FleaMarket.Runtime.Membership;
using Npgsql;
using NpgsqlTypes;

namespace FleaMarket.Runtime.PostgreSql.Membership;

/// <summary>Maps <see cref="MembershipEntry"/> to and from the columns of the <c>membership</c> table.</summary>
internal static class MembershipRows
{
    public static NpgsqlParameter<string> Text(string value) => new() { TypedValue = value };

    // Npgsql writes timestamptz only from UTC values; PostgreSQL keeps microseconds, so ticks below that are dropped.
    public static NpgsqlParameter<DateTimeOffset> Time(DateTimeOffset value) => new() { TypedValue = value.ToUniversalTime() };

    /// <summary>Adds $1..$4: cluster id and the silo's primary key columns.</summary>
    public static void AddKey(NpgsqlCommand command, string clusterId, SiloAddress silo)
    {
        command.Parameters.Add(Text(clusterId));
        command.Parameters.Add(Text(silo.Host));
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = silo.Port });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = silo.Generation });
    }

    /// <summary>Adds $1..$9: the key, then status, name, start time, I-am-alive time and suspect votes.</summary>
    public static void AddRow(NpgsqlCommand command, string clusterId, MembershipEntry entry)
    {
        AddKey(command, clusterId, entry.Silo);
        command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)entry.Status });
        command.Parameters.Add(Text(entry.SiloName));
        command.Parameters.Add(Time(entry.StartTime));
        command.Parameters.Add(Time(entry.IAmAliveTime));
        var votes = entry.Suspects.Select(v => new StoredVote(v.Voter.ToString(), v.Time)).ToList();
        command.Parameters.Add(new NpgsqlParameter<string>
        {
            TypedValue = JsonSerializer.Serialize(votes, s_json),
            NpgsqlDbType = NpgsqlDbType.Jsonb,
        });
    }

    /// <summary>Reads host, port, generation, status, name, start, alive and suspects from column <paramref name="first"/> on.</summary>
    public static MembershipEntry Read(NpgsqlDataReader reader, int first)
    {
        var silo = new SiloAddress(reader.GetString(first), reader.GetInt32(first + 1), reader.GetInt64(first + 2));
        var votes = JsonSerializer.Deserialize<List<StoredVote>>(reader.GetString(first + 7), s_json) ?? [];
        return new MembershipEntry(
            silo,
            (SiloStatus)reader.GetInt16(first + 3),
            reader.GetString(first + 4),
            reader.GetFieldValue<DateTimeOffset>(first + 5),
            reader.GetFieldValue<DateTimeOffset>(first + 6))
        {
            Suspects = [.. votes.Select(v => new SuspectVote(SiloAddress.Parse(v.Voter), v.Time))],
        };
    }

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    /// <summary>A vote as stored: the voter in its readable host:port@generation form.</summary>
    private sealed record StoredVote(string Voter, DateTimeOffset Time);
}
