using System.Diagnostics;
using static TorchSharp.torch;

namespace LmCompare.Transformer;

/// <summary>The fp32 matrix-multiply rate of this machine (FLOP/s), the denominator of MFU (model FLOPs utilisation).</summary>
public static class MatmulPeak
{
    /// <summary>Best of a few timed rounds of (n x n) @ (n x n) products, about <paramref name="seconds"/> in all.</summary>
    public static double Measure(int n = 512, double seconds = 0.5)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var a = randn(n, n, device: Native.TorchSetup.Device);
        var b = randn(n, n, device: Native.TorchSetup.Device);
        a.matmul(b); // warm-up
        double best = 0;
        var total = Stopwatch.StartNew();
        while (total.Elapsed.TotalSeconds < seconds)
        {
            var round = Stopwatch.StartNew();
            for (int i = 0; i < 8; i++) a.matmul(b).Dispose();
            best = Math.Max(best, 8 * 2.0 * n * n * n / round.Elapsed.TotalSeconds);
        }
        return best;
    }
}
