using LmCompare.Core;

namespace LmCompare.Counting.Pairs;

/// <summary>One EM iteration: perplexity of the fitted validation positions under the weights it started from.</summary>
public sealed record EmIteration(int Iteration, double Perplexity);

/// <summary>What EM produced.</summary>
/// <param name="Positions">Validation positions fitted: those with N words of document before them, so every component exists.</param>
public sealed record LambdaFit(PairLambdas Lambdas, IReadOnlyList<EmIteration> Iterations, long Positions);

/// <summary>
/// Fits the interpolation weights by expectation-maximisation on the validation split (Jelinek and Mercer 1980).
/// The component probabilities of every fitted position are computed once; each iteration then sets
/// lambda_j = mean posterior of component j within the group. This is exact EM for a fixed mixture, so the
/// validation likelihood never decreases from one iteration to the next. Positions with fewer than N words of
/// history are left out of the fit (their missing components would change the mixture).
/// </summary>
public static class LambdaFitter
{
    public const int MinPositionsPerGroup = 200;

    public static LambdaFit Fit(PairProbabilities probabilities, ReadOnlySpan<int> tokens, DocumentIndex documents,
        int maxIterations = 100, double tolerance = 1e-5, IProgress<ProgressReport>? progress = null)
    {
        int n = probabilities.Tables.Distances, width = n + 1;
        var (components, buckets) = Collect(probabilities, tokens, documents);
        int positions = buckets.Count;
        if (positions == 0) return new LambdaFit(PairLambdas.Uniform(n), [], 0);

        var bucketToGroup = Group(buckets);
        int groups = bucketToGroup.Max() + 1;
        var weights = Enumerable.Range(0, groups).Select(_ => Enumerable.Repeat(1.0 / width, width).ToArray()).ToArray();
        var iterations = new List<EmIteration>();
        double previous = double.NegativeInfinity;
        var posterior = new double[groups][];
        var members = new long[groups];
        for (int it = 1; it <= maxIterations; it++)
        {
            for (int g = 0; g < groups; g++) { posterior[g] = new double[width]; members[g] = 0; }
            double logLikelihood = 0;
            for (int t = 0; t < positions; t++)
            {
                int g = bucketToGroup[buckets[t]];
                var w = weights[g];
                var c = components.AsSpan(t * width, width);
                double p = 0;
                for (int j = 0; j < width; j++) p += w[j] * c[j];
                logLikelihood += Math.Log(p);
                for (int j = 0; j < width; j++) posterior[g][j] += w[j] * c[j] / p;
                members[g]++;
            }
            iterations.Add(new EmIteration(it, Math.Exp(-logLikelihood / positions)));
            progress?.Report(new ProgressReport("fit lambdas (EM)", it, maxIterations, "iterations"));
            for (int g = 0; g < groups; g++)
                if (members[g] > 0) for (int j = 0; j < width; j++) weights[g][j] = posterior[g][j] / members[g];
            if (logLikelihood - previous < tolerance * Math.Abs(logLikelihood)) break;
            previous = logLikelihood;
        }
        return new LambdaFit(new PairLambdas(bucketToGroup, weights), iterations, positions);
    }

    /// <summary>P_uni and P_1..P_N of every validation position with a full history, and its frequency bucket.</summary>
    private static (double[] Components, List<int> Buckets) Collect(PairProbabilities probabilities, ReadOnlySpan<int> tokens,
        DocumentIndex documents)
    {
        int n = probabilities.Tables.Distances;
        var components = new List<double>();
        var buckets = new List<int>();
        for (int doc = 0; doc < documents.Documents; doc++)
        {
            var (start, end) = documents[doc];
            for (long i = start + n; i < end; i++)
            {
                int v = tokens[(int)i];
                components.Add(probabilities.Unigram[v]);
                for (int d = 1; d <= n; d++) components.Add(probabilities.Distance(tokens[(int)(i - d)], v, d));
                int u = tokens[(int)i - 1];
                buckets.Add(PairLambdas.Bucket(probabilities.Tables.RowTotal[probabilities.Tables.RowOf(u, 1)]));
            }
        }
        return (components.ToArray(), buckets);
    }

    /// <summary>
    /// Adjacent buckets are merged, from bucket 0 up, until each group has at least <see cref="MinPositionsPerGroup"/>
    /// positions; a short last group joins the one before it. Buckets no position fell into join their neighbours.
    /// </summary>
    public static int[] Group(IReadOnlyList<int> buckets)
    {
        var perBucket = new long[PairLambdas.MaxBucket + 1];
        foreach (int b in buckets) perBucket[b]++;
        var map = new int[PairLambdas.MaxBucket + 1];
        int group = 0;
        long inGroup = 0;
        for (int b = 0; b <= PairLambdas.MaxBucket; b++)
        {
            map[b] = group;
            inGroup += perBucket[b];
            if (inGroup >= MinPositionsPerGroup && perBucket.Skip(b + 1).Sum() >= MinPositionsPerGroup) { group++; inGroup = 0; }
        }
        return map;
    }
}
