using FleaMarket.Benchmarks.Feed;
using FleaMarket.Benchmarks.Load;
using FleaMarket.Benchmarks.Storage;

// "calls": grain calls/s and latency on Orleans (local, cross-silo, client); "storage": journal appends/s and Orleans
// grain-state writes/s on PostgreSQL and SQLite; "feed": a drop's orders/s without and with many live-feed readers,
// against a running FleaMarket. All print Markdown tables ready for docs/benchmarks.md.
return args switch
{
    ["calls", .. var rest] => await LoadCommand.RunAsync(rest),
    ["storage", .. var rest] => await StorageCommand.RunAsync(rest),
    ["feed", .. var rest] => await FeedCommand.RunAsync(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: Benchmarks calls   [--duration 10] [--warmup 2] [--concurrency 128] [--runs 3] [--scenarios local,cross-silo,client]
               Benchmarks storage [--duration 10] [--warmup 2] [--concurrency 64] [--runs 3] [--batch 16] [--engines postgresql,sqlite]
               Benchmarks feed    [--base-url http://127.0.0.1:5000] [--readers 2000] [--stock 2000] [--buyers 100] [--concurrency 32] [--runs 2]
        """);
    return 2;
}
