using System.CommandLine;
using LmCompare.Core;
using LmCompare.Transformer;

namespace LmCompare.Cli.Commands;

/// <summary><c>lmc bench matmul</c>: this machine's fp32 matrix-multiply rate, the MFU denominator of training logs.</summary>
public static class BenchMatmulCommand
{
    private static readonly Option<int> SizeOption = new("--size") { DefaultValueFactory = _ => 512, Description = "Matrix side" };
    private static readonly Option<int> ThreadsOption = new("--threads") { DefaultValueFactory = _ => 0, Description = "CPU threads (0: all cores)" };

    public static Command Create()
    {
        var bench = new Command("bench", "Machine measurements");
        var matmul = new Command("matmul", "fp32 matrix-multiply rate (GFLOP/s) with libtorch") { SizeOption, ThreadsOption };
        matmul.SetAction(parse => LmcApp.Execute(parse, context =>
        {
            int size = parse.GetValue(SizeOption);
            if (size < 16) throw new UsageException("--size must be at least 16");
            var rate = MatmulBenchmark.Run(size, parse.GetValue(ThreadsOption));
            if (context.Json) context.WriteJson(new { size, threads = rate.Threads, gflops = rate.Gflops });
            else Console.Out.WriteLine($"fp32 matmul {size}x{size}: {rate.Gflops:0.0} GFLOP/s on {rate.Threads} thread(s)");
            return ExitCodes.Success;
        }));
        bench.Subcommands.Add(matmul);
        return bench;
    }
}
