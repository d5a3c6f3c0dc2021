using System.Buffers;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;

namespace FleaMarket.Runtime.Serialization;

/// <summary>
/// Turns call arguments, results and exceptions into bytes and back. JSON (System.Text.Json) keeps
/// records, collections and primitives working without per-type code; arguments travel as one JSON
/// array serialised against the method's declared parameter types.
/// </summary>
internal sealed class GrainSerializer
{
    private static readonly ConcurrentDictionary<Type, bool> ImmutableTypes = new();

    public GrainSerializer(JsonSerializerOptions? options = null) =>
        Options = options ?? new JsonSerializerOptions(JsonSerializerDefaults.General) { IncludeFields = false };

    public JsonSerializerOptions Options { get; }

    [ThreadStatic]
    private static (ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Writer)? t_scratch;

    public byte[] SerializeArguments(ReadOnlySpan<object?> arguments, IReadOnlyList<Type> types)
    {
        // One buffer and writer per thread, reused: only the final array is allocated per call.
        var (buffer, writer) = t_scratch ??= CreateScratch();
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        writer.WriteStartArray();
        for (var i = 0; i < arguments.Length; i++)
        {
            JsonSerializer.Serialize(writer, arguments[i], types[i], Options);
        }

        writer.WriteEndArray();
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static (ArrayBufferWriter<byte>, Utf8JsonWriter) CreateScratch()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        return (buffer, new Utf8JsonWriter(buffer));
    }

    public object?[] DeserializeArguments(ReadOnlyMemory<byte> body, IReadOnlyList<Type> types)
    {
        var arguments = new object?[types.Count];
        var reader = new Utf8JsonReader(body.Span);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("Call arguments must be a JSON array.");
        }

        for (var i = 0; i < types.Count; i++)
        {
            if (!reader.Read()) throw new JsonException($"Call has fewer than {types.Count} arguments.");
            arguments[i] = JsonSerializer.Deserialize(ref reader, types[i], Options);
        }

        return arguments;
    }

    public byte[] SerializeValue(object? value, Type type) => JsonSerializer.SerializeToUtf8Bytes(value, type, Options);

    public object? DeserializeValue(ReadOnlyMemory<byte> body, Type type) => JsonSerializer.Deserialize(body.Span, type, Options);

    /// <summary>
    /// Copies a value that crosses from one activation to another inside a silo, so neither side sees the
    /// other's later mutations. Immutable values (primitives, strings, ids, dates) pass as they are.
    /// </summary>
    public object? Copy(object? value, Type type) =>
        value is null || IsImmutable(type) ? value : DeserializeValue(SerializeValue(value, type), type);

    public static bool IsImmutable(Type type) => ImmutableTypes.GetOrAdd(type, static t =>
        t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(Guid)
        || t == typeof(DateTime) || t == typeof(DateTimeOffset) || t == typeof(TimeSpan)
        || (Nullable.GetUnderlyingType(t) is { } inner && IsImmutable(inner))
        || t.IsDefined(typeof(ImmutableAttribute), inherit: false));

    public byte[] SerializeException(Exception exception) => JsonSerializer.SerializeToUtf8Bytes(
        new ExceptionPayload(exception.GetType().FullName ?? exception.GetType().Name,
            exception.GetType().Assembly.GetName().Name, exception.Message, exception.StackTrace),
        Options);

    /// <summary>
    /// Recreates a grain's exception with its type and message when the type is known here and has a
    /// (string) constructor; otherwise a <see cref="RemoteGrainException"/> carries both.
    /// </summary>
    public Exception DeserializeException(ReadOnlyMemory<byte> body)
    {
        var payload = JsonSerializer.Deserialize<ExceptionPayload>(body.Span, Options)
            ?? throw new JsonException("Empty exception payload.");
        var type = payload.Assembly is null ? null : Type.GetType($"{payload.Type}, {payload.Assembly}", throwOnError: false);
        if (type is not null && typeof(Exception).IsAssignableFrom(type) && MessageConstructor(type) is { } ctor)
        {
            var parameters = ctor.GetParameters();
            var arguments = new object?[parameters.Length];
            arguments[0] = payload.Message;
            for (var i = 1; i < parameters.Length; i++) arguments[i] = parameters[i].DefaultValue;
            return (Exception)ctor.Invoke(arguments);
        }

        return new RemoteGrainException(payload.Type, payload.Message, payload.StackTrace);
    }

    /// <summary>A public constructor taking the message first and nothing else that is required.</summary>
    private static ConstructorInfo? MessageConstructor(Type type) => type
        .GetConstructors(BindingFlags.Public | BindingFlags.Instance)
        .Where(c => c.GetParameters() is [{ ParameterType: var first }, ..] rest && first == typeof(string) && rest.Skip(1).All(p => p.IsOptional))
        .OrderBy(c => c.GetParameters().Length)
        .FirstOrDefault();

    private sealed record ExceptionPayload(string Type, string? Assembly, string Message, string? StackTrace);
}
