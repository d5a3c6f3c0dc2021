using BenchmarkDotNet.Running;
using FleaMarket.Benchmarks.Load;

// "calls" runs the fixed-duration load mode (throughput and latency percentiles); anything else goes to
// BenchmarkDotNet, e.g. `-- --filter '*'`.
if (args is ["calls", .. var rest]) return await LoadCommand.RunAsync(rest);
BenchmarkSwitcher.FromAssembly(typeof(LoadCommand).Assembly).Run(args);
return 0;
