using LmCompare.Transformer.Native;

namespace LmCompare.Transformer;

/// <param name="Size">Side of the square matrices.</param>
/// <param name="Threads">libtorch's CPU threads during the measurement.</param>
/// <param name="Gflops">Best fp32 rate seen, 10^9 floating-point operations per second.</param>
public sealed record MatmulRate(int Size, int Threads, double Gflops);

/// <summary><c>lmc bench matmul</c>: this machine's fp32 matrix-multiply rate, the MFU denominator of training logs.</summary>
public static class MatmulBenchmark
{
    public static MatmulRate Run(int size, int threads, double seconds = 2)
    {
        TorchSetup.EnsureReady(threads);
        double flops = MatmulPeak.Measure(size, seconds);
        return new MatmulRate(size, TorchSharp.torch.get_num_threads(), Math.Round(flops / 1e9, 1));
    }
}
