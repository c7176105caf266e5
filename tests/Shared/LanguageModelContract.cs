using LmCompare.Core;

namespace LmCompare.Tests;

/// <summary>
/// What every <see cref="ILanguageModel"/> must satisfy, checked the same way for every kind: each next-token
/// distribution sums to 1 and never predicts &lt;s&gt;; <c>Score</c> equals the log of <c>NextTokenLogProbs</c> at the
/// same position; <c>ScoreDistributions</c> returns the same scores and distributions; <c>ScoreBatch</c> scores each
/// span as if alone.
/// </summary>
public static class LanguageModelContract
{
    /// <param name="tolerance">Absolute tolerance on log-probabilities (single-precision models need ~1e-4).</param>
    public static void Check(ILanguageModel model, int[] tokens, int start, double tolerance = 1e-4)
    {
        int v = model.Vocabulary.Count, n = tokens.Length - start;
        var scores = new double[n];
        model.Score(tokens, start, scores);
        var distributionScores = new double[n];
        var distributions = new float[n * v];
        model.ScoreDistributions(tokens, start, distributionScores, distributions);
        var next = new float[v];
        for (int i = start; i < tokens.Length; i++)
        {
            model.NextTokenLogProbs(tokens.AsSpan(0, i), next);
            double sum = next.Sum(lp => Math.Exp(lp));
            Assert.True(Math.Abs(sum - 1) < 1e-4, $"{model.Name}: distribution at {i} sums to {sum}");
            Assert.True(next[SpecialTokens.SentenceStartId] == float.NegativeInfinity || Math.Exp(next[SpecialTokens.SentenceStartId]) < 1e-30,
                $"{model.Name}: <s> predicted at {i}");
            Assert.True(Math.Abs(next[tokens[i]] - scores[i - start]) < tolerance,
                $"{model.Name}: Score {scores[i - start]} but NextTokenLogProbs {next[tokens[i]]} at {i}");
            Assert.True(Math.Abs(distributionScores[i - start] - scores[i - start]) < tolerance,
                $"{model.Name}: ScoreDistributions score differs at {i}");
            var row = distributions.AsSpan((i - start) * v, v);
            for (int w = 0; w < v; w++)
                Assert.True(Math.Abs(row[w] - Math.Exp(next[w])) < 1e-5 + 1e-3 * Math.Exp(next[w]),
                    $"{model.Name}: distribution row {i} id {w}: {row[w]} vs {Math.Exp(next[w])}");
        }
    }

    /// <summary>ScoreBatch of several spans equals Score of each span from its start, with and without distributions.</summary>
    public static void CheckBatch(ILanguageModel model, IReadOnlyList<int[]> spans, double tolerance = 1e-4)
    {
        int total = spans.Sum(s => s.Length), v = model.Vocabulary.Count;
        var batch = new double[total];
        model.ScoreBatch(spans.Select(s => (ReadOnlyMemory<int>)s).ToList(), batch, []);
        var withDistributions = new double[total];
        var distributions = new float[total * v];
        model.ScoreBatch(spans.Select(s => (ReadOnlyMemory<int>)s).ToList(), withDistributions, distributions);
        int at = 0;
        foreach (var span in spans)
        {
            var alone = new double[span.Length];
            model.Score(span, 0, alone);
            for (int i = 0; i < span.Length; i++)
            {
                Assert.True(Math.Abs(alone[i] - batch[at + i]) < tolerance, $"{model.Name}: batch score {batch[at + i]} vs alone {alone[i]}");
                Assert.True(Math.Abs(alone[i] - withDistributions[at + i]) < tolerance, $"{model.Name}: batch-with-distributions score differs");
                Assert.True(Math.Abs(Math.Exp(alone[i]) - distributions[(at + i) * v + span[i]]) < 1e-5 + 1e-3 * Math.Exp(alone[i]),
                    $"{model.Name}: batch distribution disagrees with the score");
            }
            at += span.Length;
        }
    }
}
