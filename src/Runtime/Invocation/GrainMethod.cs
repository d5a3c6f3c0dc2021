using System.Linq.Expressions;
using System.Reflection;
using FleaMarket.Runtime.Hashing;

namespace FleaMarket.Runtime.Invocation;

/// <summary>
/// One method of a grain interface, described once: its stable id, argument and result types, its
/// scheduling flags and a compiled delegate that calls it on a grain without reflection per call.
/// </summary>
internal sealed class GrainMethod
{
    private static readonly MethodInfo ResultOfMethod = typeof(GrainMethod).GetMethod(nameof(ResultOf), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo CastMethod = typeof(GrainMethod).GetMethod(nameof(Cast), BindingFlags.NonPublic | BindingFlags.Static)!;

    private GrainMethod(MethodInfo method)
    {
        Method = method;
        ParameterTypes = [.. method.GetParameters().Select(p => p.ParameterType)];
        Name = $"{method.DeclaringType!.FullName}.{method.Name}({string.Join(",", ParameterTypes.Select(t => t.FullName))})";
        Id = StableHash.Hash32(Name);
        ResultType = method.ReturnType.IsGenericType && method.ReturnType.GetGenericTypeDefinition() == typeof(Task<>)
            ? method.ReturnType.GetGenericArguments()[0]
            : null;
        IsReadOnly = method.IsDefined(typeof(ReadOnlyAttribute));
        IsAlwaysInterleave = method.IsDefined(typeof(AlwaysInterleaveAttribute));
        IsIdempotent = method.IsDefined(typeof(IdempotentAttribute)) || IsReadOnly;
        IsOneWay = method.IsDefined(typeof(OneWayAttribute));
        Invoke = CompileInvoker(method, ParameterTypes);
        GetResult = ResultType is null
            ? static _ => null
            : (Func<Task, object?>)ResultOfMethod.MakeGenericMethod(ResultType).CreateDelegate(typeof(Func<Task, object?>));
        CastResult = ResultType is null
            ? static t => t
            : (Func<Task<object?>, Task>)CastMethod.MakeGenericMethod(ResultType).CreateDelegate(typeof(Func<Task<object?>, Task>));
        AllArgumentsImmutable = ParameterTypes.All(Serialization.GrainSerializer.IsImmutable);
    }

    public MethodInfo Method { get; }

    /// <summary>Interface full name, method name and parameter types: the input of <see cref="Id"/>.</summary>
    public string Name { get; }

    /// <summary>Same in every process; travels in each request.</summary>
    public int Id { get; }

    public Type[] ParameterTypes { get; }

    /// <summary>T of <c>Task&lt;T&gt;</c>, or null for a plain <c>Task</c>.</summary>
    public Type? ResultType { get; }

    public bool IsReadOnly { get; }

    public bool IsAlwaysInterleave { get; }

    public bool IsIdempotent { get; }

    public bool IsOneWay { get; }

    public bool AllArgumentsImmutable { get; }

    /// <summary>Calls the method on a grain instance.</summary>
    public Func<object, object?[], Task> Invoke { get; }

    /// <summary>Reads the result of a completed task returned by <see cref="Invoke"/>.</summary>
    public Func<Task, object?> GetResult { get; }

    /// <summary>Turns the untyped result of a call into the <c>Task&lt;T&gt;</c> the interface declares.</summary>
    public Func<Task<object?>, Task> CastResult { get; }

    public static GrainMethod Create(MethodInfo method)
    {
        if (method.ReturnType != typeof(Task) && !(method.ReturnType.IsGenericType && method.ReturnType.GetGenericTypeDefinition() == typeof(Task<>)))
        {
            throw new InvalidOperationException(
                $"Grain method {method.DeclaringType?.FullName}.{method.Name} must return Task or Task<T>, not {method.ReturnType.Name}.");
        }

        if (method.GetParameters().Any(p => p.ParameterType.IsByRef))
        {
            throw new InvalidOperationException($"Grain method {method.DeclaringType?.FullName}.{method.Name} cannot take ref/out parameters.");
        }

        return new GrainMethod(method);
    }

    private static Func<object, object?[], Task> CompileInvoker(MethodInfo method, Type[] parameterTypes)
    {
        var grain = Expression.Parameter(typeof(object), "grain");
        var arguments = Expression.Parameter(typeof(object?[]), "arguments");
        var call = Expression.Call(
            Expression.Convert(grain, method.DeclaringType!),
            method,
            parameterTypes.Select((t, i) => Expression.Convert(Expression.ArrayIndex(arguments, Expression.Constant(i)), t)));
        return Expression.Lambda<Func<object, object?[], Task>>(Expression.Convert(call, typeof(Task)), grain, arguments).Compile();
    }

    private static async Task<T> Cast<T>(Task<object?> call) => (T)(await call.ConfigureAwait(false))!;

    private static object? ResultOf<T>(Task task) => ((Task<T>)task).Result;
}
