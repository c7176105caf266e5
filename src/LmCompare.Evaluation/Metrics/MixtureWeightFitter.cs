namespace LmCompare.Evaluation.Metrics;

/// <summary>
/// The weight a of P = a P_1 + (1 - a) P_2 that maximises the likelihood of held-out positions, by EM (Jelinek and
/// Mercer 1980): a &lt;- mean over positions of a p_1 / (a p_1 + (1 - a) p_2). The likelihood is concave in a, so EM
/// converges to the optimum from any start inside (0, 1).
/// </summary>
public static class MixtureWeightFitter
{
    /// <param name="first">ln p_1 of each held-out position.</param>
    /// <param name="second">ln p_2 of the same positions.</param>
    public static double Fit(ReadOnlySpan<double> first, ReadOnlySpan<double> second, int maxIterations = 200, double tolerance = 1e-7)
    {
        if (first.Length != second.Length) throw new ArgumentException("the two score lists differ in length");
        if (first.IsEmpty) return 0.5;
        double a = 0.5;
        for (int it = 0; it < maxIterations; it++)
        {
            double sum = 0;
            for (int i = 0; i < first.Length; i++)
            {
                // posterior of component 1 = 1 / (1 + (1-a)/a * exp(second - first)), stable for any log gap
                double gap = Math.Log(1 - a) - Math.Log(a) + second[i] - first[i];
                sum += gap > 40 ? 0 : 1 / (1 + Math.Exp(gap));
            }
            double next = Math.Clamp(sum / first.Length, 1e-6, 1 - 1e-6);
            if (Math.Abs(next - a) < tolerance) return next;
            a = next;
        }
        return a;
    }
}
