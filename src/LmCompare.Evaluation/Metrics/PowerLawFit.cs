namespace LmCompare.Evaluation.Metrics;

/// <summary>
/// ppl(D) = c + a (D / 1M)^-b fitted to a learning curve (D: training tokens; the 1M scale keeps a readable), with
/// standard errors. Least squares weighted by 1 / ppl² (relative errors: perplexities span a wide range), solved by
/// variable projection (Golub and Pereyra 1973): for a fixed exponent b the model is linear in a and c, so b is found by
/// a one-dimensional search and a, c by weighted linear least squares. Standard errors from the Jacobian at the optimum,
/// s² (JᵀWJ)⁻¹ with s² = weighted SSE / (n - 3) (Bates and Watts 1988, ch. 2).
/// </summary>
public sealed record PowerLawFit(string Model, double A, double B, double C, double? StandardErrorA, double? StandardErrorB,
    double? StandardErrorC, int Points)
{
    public const double Unit = 1e6;

    public double Predict(double tokens) => C + A * Math.Pow(tokens / Unit, -B);

    /// <summary>Training tokens at which the fitted curve reaches <paramref name="perplexity"/>; null when its asymptote c
    /// lies at or above it (no amount of data of this kind gets there by this law).</summary>
    public double? TokensToReach(double perplexity) =>
        perplexity <= C || A <= 0 || B <= 0 ? null : Unit * Math.Pow(A / (perplexity - C), 1 / B);

    /// <summary>The fit, or null with fewer than four finite points (three parameters leave no degree of freedom).</summary>
    public static PowerLawFit? Fit(LearningCurve curve)
    {
        var points = curve.Points.Where(p => p.TrainingTokens > 0 && double.IsFinite(p.Perplexity)).ToArray();
        if (points.Length < 4) return null;
        var x = points.Select(p => p.TrainingTokens / Unit).ToArray();
        var y = points.Select(p => p.Perplexity).ToArray();
        var w = y.Select(v => 1 / (v * v)).ToArray();
        double bestB = double.NaN, bestSse = double.PositiveInfinity;
        for (int i = 0; i <= 400; i++) // a grid over b in [0.005, 4], log-spaced, then golden-section refinement
        {
            double b = 0.005 * Math.Pow(800, i / 400.0);
            double sse = Solve(x, y, w, b).Sse;
            if (sse < bestSse) (bestB, bestSse) = (b, sse);
        }
        double lo = bestB / 1.02, hi = bestB * 1.02;
        for (int i = 0; i < 60; i++)
        {
            double m1 = hi - (hi - lo) / 1.618034, m2 = lo + (hi - lo) / 1.618034;
            if (Solve(x, y, w, m1).Sse < Solve(x, y, w, m2).Sse) hi = m2; else lo = m1;
        }
        double bFit = (lo + hi) / 2;
        var (a, c, sseFit) = Solve(x, y, w, bFit);
        var errors = StandardErrors(x, w, a, bFit, sseFit);
        return new PowerLawFit(curve.Model, a, bFit, c, errors?[0], errors?[1], errors?[2], points.Length);
    }

    /// <summary>Weighted least squares of y on [x^-b, 1] for a fixed b.</summary>
    private static (double A, double C, double Sse) Solve(double[] x, double[] y, double[] w, double b)
    {
        double sw = 0, sf = 0, sff = 0, sy = 0, sfy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double f = Math.Pow(x[i], -b);
            sw += w[i]; sf += w[i] * f; sff += w[i] * f * f; sy += w[i] * y[i]; sfy += w[i] * f * y[i];
        }
        double det = sw * sff - sf * sf;
        if (Math.Abs(det) < 1e-300) return (0, 0, double.PositiveInfinity);
        double a = (sw * sfy - sf * sy) / det, c = (sff * sy - sf * sfy) / det;
        double sse = 0;
        for (int i = 0; i < x.Length; i++) { double r = y[i] - c - a * Math.Pow(x[i], -b); sse += w[i] * r * r; }
        return (a, c, sse);
    }

    private static double[]? StandardErrors(double[] x, double[] w, double a, double b, double sse)
    {
        int n = x.Length;
        if (n <= 3) return null;
        var m = new double[3, 3];
        for (int i = 0; i < n; i++)
        {
            double f = Math.Pow(x[i], -b);
            double[] j = [f, -a * Math.Log(x[i]) * f, 1];
            for (int r = 0; r < 3; r++) for (int s = 0; s < 3; s++) m[r, s] += w[i] * j[r] * j[s];
        }
        var inverse = Invert3(m);
        if (inverse is null) return null;
        double s2 = sse / (n - 3);
        return [Math.Sqrt(s2 * inverse[0, 0]), Math.Sqrt(s2 * inverse[1, 1]), Math.Sqrt(s2 * inverse[2, 2])];
    }

    private static double[,]? Invert3(double[,] m)
    {
        double det = m[0, 0] * (m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1]) - m[0, 1] * (m[1, 0] * m[2, 2] - m[1, 2] * m[2, 0])
            + m[0, 2] * (m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0]);
        if (Math.Abs(det) < 1e-300) return null;
        var r = new double[3, 3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                int i1 = (j + 1) % 3, i2 = (j + 2) % 3, j1 = (i + 1) % 3, j2 = (i + 2) % 3;
                r[i, j] = (m[i1, j1] * m[i2, j2] - m[i1, j2] * m[i2, j1]) / det; // adjugate: cofactor of (j, i)
            }
        return r;
    }
}
