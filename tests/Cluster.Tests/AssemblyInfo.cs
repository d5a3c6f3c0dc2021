// The collections start real servers and OS processes and assert on failure-detection timing; running them
// one after another keeps a small shared machine from turning timing into flakiness.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
