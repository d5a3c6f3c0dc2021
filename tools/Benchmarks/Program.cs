using FleaMarket.Benchmarks.Load;
using FleaMarket.Benchmarks.Storage;

// "calls": grain calls/s and latency on Orleans (local, cross-silo, client); "storage": journal appends/s and Orleans
// grain-state writes/s on PostgreSQL and SQLite. Both print Markdown tables ready for docs/benchmarks.md.
return args switch
{
    ["calls", .. var rest] => await LoadCommand.RunAsync(rest),
    ["storage", .. var rest] => await StorageCommand.RunAsync(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: Benchmarks calls   [--duration 10] [--warmup 2] [--concurrency 128] [--runs 3] [--scenarios local,cross-silo,client]
               Benchmarks storage [--duration 10] [--warmup 2] [--concurrency 64] [--runs 3] [--batch 16] [--engines postgresql,sqlite]
        """);
    return 2;
}
