using BenchmarkDotNet.Running;

if (args is ["trie-write", var folder, ..])
{
    LmCompare.Benchmarks.TrieWriteTiming.Run(folder, args.Length > 2 ? long.Parse(args[2]) : 512,
        args.Length > 3 ? args[3] == "buckets" : null);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(LmCompare.Benchmarks.BenchmarkData).Assembly).Run(args);
