using System.Buffers;
using System.Collections.Immutable;
using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using FleaMarket.Benchmarks.Grains;
using FleaMarket.Runtime;
using FleaMarket.Runtime.Diagnostics;
using FleaMarket.Runtime.Invocation;
using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.Messaging;
using FleaMarket.Runtime.Placement;
using FleaMarket.Runtime.Serialization;

namespace FleaMarket.Benchmarks.Micro;

/// <summary>
/// The single-threaded pieces every ping pays for, one at a time, to split a call's CPU time between
/// the proxy, ownership, serialization and framing (the transport's share is in <see cref="GrainCallBenchmarks"/>).
/// </summary>
[Config(typeof(ShortInProcessConfig))]
public class CallPathBenchmarks
{
    private static readonly Type[] IntParameter = [typeof(int)];
    private static readonly GrainId Target = GrainId.FromString("ping", "ping-123");
    private static readonly ImmutableArray<SiloAddress> TwoSilos =
        [new SiloAddress("127.0.0.1", 40001, 638_000_000_000_000_001), new SiloAddress("127.0.0.1", 40002, 638_000_000_000_000_002)];

    private readonly GrainSerializer _serializer = new();
    private readonly ArrayBufferWriter<byte> _frames = new(256);
    private readonly RuntimeMetrics _metrics = new();
    private readonly object?[] _arguments = [42];
    private byte[] _argumentBody = [];
    private byte[] _resultBody = [];
    private Message _request = null!;
    private IPingGrain _proxy = null!;

    [GlobalSetup]
    public void Setup()
    {
        _argumentBody = _serializer.SerializeArguments(_arguments, IntParameter);
        _resultBody = _serializer.SerializeValue(43, typeof(int));
        _request = new Message { Kind = MessageKind.Request, Target = Target, MethodId = 42, ViewVersion = 3, Body = _argumentBody };
        _proxy = (IPingGrain)GrainReference.Create(typeof(IPingGrain), Target, new CompletedCaller());
    }

    [GlobalCleanup]
    public void Cleanup() => _metrics.Dispose();

    /// <summary>Proxy dispatch, argument array, boxing and the Task&lt;object&gt; to Task&lt;int&gt; cast, with a caller that answers at once.</summary>
    [Benchmark]
    public Task<int> ProxyInvoke() => _proxy.Ping(42);

    /// <summary>Rendezvous hashing over two silos; the router and the receiving catalog each do it once per call.</summary>
    [Benchmark]
    public SiloAddress? OwnerOf() => GrainOwnership.OwnerOf(Target, TwoSilos);

    [Benchmark]
    public byte[] SerializeArguments() => _serializer.SerializeArguments(_arguments, IntParameter);

    [Benchmark]
    public object?[] DeserializeArguments() => _serializer.DeserializeArguments(_argumentBody, IntParameter);

    [Benchmark]
    public byte[] SerializeResult() => _serializer.SerializeValue(43, typeof(int));

    [Benchmark]
    public object? DeserializeResult() => _serializer.DeserializeValue(_resultBody, typeof(int));

    /// <summary>Encodes and parses one request frame (each cross-silo call does this for request and response).</summary>
    [Benchmark]
    public object? FrameRoundTrip()
    {
        _frames.ResetWrittenCount();
        MessageCodec.TryWrite(_frames, _request, 7, int.MaxValue);
        var buffer = new ReadOnlySequence<byte>(_frames.WrittenMemory);
        MessageCodec.TryRead(ref buffer, int.MaxValue, out var message);
        return message;
    }

    /// <summary>The call counter and latency histogram the router records per call (no listener attached).</summary>
    [Benchmark]
    public void RecordCallMetrics() => _metrics.CallCompleted("ping", "ok", Stopwatch.GetTimestamp());

    private sealed class CompletedCaller : IGrainCaller
    {
        private static readonly Task<object?> Result = Task.FromResult<object?>(43);

        public Task<object?> InvokeAsync(GrainId target, GrainMethod method, object?[] arguments) => Result;

        public void InvokeOneWay(GrainId target, GrainMethod method, object?[] arguments)
        {
        }
    }
}
