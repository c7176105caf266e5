namespace LmCompare.Core;

/// <summary>
/// A model that can say how many ids beat the target without writing out the whole next-token distribution (a count
/// model reads it off its successor lists). The evaluator uses it for top-k accuracy where no mixture needs the
/// distribution itself; the figures equal those of <see cref="ILanguageModel.ScoreDistributions"/>.
/// </summary>
public interface IRankedScoring
{
    /// <summary>
    /// <see cref="ILanguageModel.Score"/> plus, at every scored position, the number of ids with a strictly higher
    /// probability than the target's (never &lt;s&gt;): exact below <paramref name="cap"/>, else <paramref name="cap"/>.
    /// </summary>
    void ScoreRanks(ReadOnlySpan<int> tokens, int start, Span<double> logProbs, Span<int> ranks, int cap);
}
