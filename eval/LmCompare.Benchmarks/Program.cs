using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(LmCompare.Benchmarks.BenchmarkData).Assembly).Run(args);
