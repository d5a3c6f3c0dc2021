using BenchmarkDotNet.Running;
using FleaMarket.Benchmarks.Load;
using FleaMarket.Benchmarks.Storage;

// "calls" runs the fixed-duration load mode (throughput and latency percentiles), "storage" the grain state and
// journal throughput of PostgreSQL and SQLite; anything else goes to BenchmarkDotNet, e.g. `-- --filter '*'`.
if (args is ["calls", .. var rest]) return await LoadCommand.RunAsync(rest);
if (args is ["storage", .. var storageArgs]) return await StorageCommand.RunAsync(storageArgs);
BenchmarkSwitcher.FromAssembly(typeof(LoadCommand).Assembly).Run(args);
return 0;
