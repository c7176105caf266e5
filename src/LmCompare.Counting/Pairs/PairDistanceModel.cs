using LmCompare.Core;

namespace LmCompare.Counting.Pairs;

/// <summary>
/// The pair-distance model as a probability model (docs/ARCHITECTURE.md, "The models"): P(v | h) = lambda_0 P_uni(v) + sum_d lambda_d P_d(v | h_-d),
/// the lambdas of the bucket of h_-1. Distances with no word in the context drop out and the lambdas renormalise.
/// Through <see cref="ILanguageModel"/> a span starts after a sentence end: &lt;/s&gt; is the history word at distance 1 of
/// its first token (docs/ARCHITECTURE.md, "The evaluation protocol"). All log-probabilities it returns are natural logs.
/// </summary>
public sealed class PairDistanceModel : ILanguageModel, IRankedScoring
{
    private readonly ModelFootprint _footprint;

    public PairDistanceModel(string name, Vocabulary vocabulary, PairProbabilities probabilities, PairLambdas lambdas, ModelFootprint footprint)
    {
        Name = name;
        Vocabulary = vocabulary;
        Probabilities = probabilities;
        Lambdas = lambdas;
        _footprint = footprint;
        if (probabilities.Tables.VocabularySize != vocabulary.Count)
            throw new InputException($"model {name}: tables have {probabilities.Tables.VocabularySize} ids, the vocabulary {vocabulary.Count}");
    }

    public string Name { get; }
    public Vocabulary Vocabulary { get; }
    public PairProbabilities Probabilities { get; }
    public PairLambdas Lambdas { get; }
    public ModelFootprint Footprint => _footprint;

    /// <summary>The tables are read only and the ranks' scratch is per thread (<see cref="PairRanker"/>).</summary>
    public bool ScoresConcurrently => true;
    public int Distances => Probabilities.Tables.Distances;

    /// <summary>P(v | context), a plain probability.</summary>
    public double Probability(ReadOnlySpan<int> context, int v)
    {
        int n = Math.Min(context.Length, Distances);
        if (n == 0) return Probabilities.Unigram[v];
        var w = WeightsFor(context);
        double numerator = w[0] * Probabilities.Unigram[v], denominator = w[0];
        for (int d = 1; d <= n; d++)
        {
            numerator += w[d] * Probabilities.Distance(context[^d], v, d);
            denominator += w[d];
        }
        return denominator > 0 ? numerator / denominator : Probabilities.Unigram[v];
    }

    private double[] WeightsFor(ReadOnlySpan<int> context) =>
        Lambdas.For(Probabilities.Tables.RowTotal[Probabilities.Tables.RowOf(context[^1], 1)]);

    public void NextTokenLogProbs(ReadOnlySpan<int> context, Span<float> logProbs)
    {
        var p = logProbs[..Vocabulary.Count];
        NextTokenProbabilities(AfterSentenceEnd(context), p); // single precision, then one vector log
        System.Numerics.Tensors.TensorPrimitives.Log(p, p);
    }

    /// <summary>&lt;/s&gt; then the tokens: the history a span's first token has.</summary>
    private static int[] AfterSentenceEnd(ReadOnlySpan<int> tokens)
    {
        var input = new int[tokens.Length + 1];
        input[0] = SpecialTokens.SentenceEndId;
        tokens.CopyTo(input.AsSpan(1));
        return input;
    }

    public void ScoreDistributions(ReadOnlySpan<int> tokens, int start, Span<double> logProbs, Span<float> probabilities)
    {
        var input = AfterSentenceEnd(tokens);
        int v = Vocabulary.Count;
        for (int i = start; i < tokens.Length; i++)
        {
            NextTokenProbabilities(input.AsSpan(0, i + 1), probabilities.Slice((i - start) * v, v));
            logProbs[i - start] = Math.Log(Probability(input.AsSpan(0, i + 1), tokens[i]));
        }
    }

    /// <summary>
    /// lambda_0..lambda_n of the context's bucket divided by their sum, n = the distances the context reaches; null when it
    /// reaches none or they sum to 0 (then the distribution is P_uni alone). Both whole-distribution paths share it.
    /// </summary>
    private double[]? MixtureWeights(ReadOnlySpan<int> context)
    {
        int n = Math.Min(context.Length, Distances);
        if (n == 0) return null;
        var w = WeightsFor(context);
        double denominator = w[0];
        for (int d = 1; d <= n; d++) denominator += w[d];
        if (!(denominator > 0)) return null;
        var normalized = new double[n + 1];
        for (int d = 0; d <= n; d++) normalized[d] = w[d] / denominator;
        return normalized;
    }

    /// <summary>The whole next-token distribution in O(V + successors of the context's rows).</summary>
    public void NextTokenProbabilities(ReadOnlySpan<int> context, Span<double> p)
    {
        p.Clear();
        double unigramWeight = 1;
        if (MixtureWeights(context) is { } w)
        {
            unigramWeight = w[0];
            for (int d = 1; d < w.Length; d++) unigramWeight += Probabilities.AddDistance(context[^d], d, w[d], p);
        }
        var unigram = Probabilities.Unigram;
        for (int v = 0; v < p.Length; v++) p[v] += unigramWeight * unigram[v];
    }

    /// <summary>The whole next-token distribution in single precision, as <see cref="NextTokenProbabilities(ReadOnlySpan{int}, Span{double})"/>
    /// computes it: each distance's successors, then the P_uni part in one vector pass.</summary>
    public void NextTokenProbabilities(ReadOnlySpan<int> context, Span<float> p)
    {
        p.Clear();
        double unigramWeight = 1;
        if (MixtureWeights(context) is { } w)
        {
            unigramWeight = w[0];
            for (int d = 1; d < w.Length; d++) unigramWeight += Probabilities.AddDistance(context[^d], d, w[d], p);
        }
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(Probabilities.UnigramSingle, (float)unigramWeight, p, p);
    }

    public void Score(ReadOnlySpan<int> tokens, int start, Span<double> logProbs)
    {
        var input = AfterSentenceEnd(tokens);
        for (int i = start; i < tokens.Length; i++) logProbs[i - start] = Math.Log(Probability(input.AsSpan(0, i + 1), tokens[i]));
    }

    /// <summary>
    /// Scores and ranks without writing out the distribution (<see cref="PairRanker"/>), the ranks equal to those counted in
    /// the whole distribution (<see cref="NextTokenProbabilities(ReadOnlySpan{int}, Span{float})"/>), the log-probabilities
    /// to those of <see cref="Score"/>.
    /// </summary>
    public void ScoreRanks(ReadOnlySpan<int> tokens, int start, Span<double> logProbs, Span<int> ranks, int cap)
    {
        var input = AfterSentenceEnd(tokens);
        var ranker = PairRanker.For(this);
        for (int i = start; i < tokens.Length; i++)
            (logProbs[i - start], ranks[i - start]) = ranker.Rank(input.AsSpan(0, i + 1), tokens[i], cap);
    }

    /// <summary>
    /// Step 4 taken literally: candidates are the union of the top-K successor lists of the context words at their
    /// distances, ranked by the combined probability. Returns at most <paramref name="k"/> (id, probability) pairs.
    /// </summary>
    public IReadOnlyList<(int Id, double Probability)> PredictVote(ReadOnlySpan<int> context, int k)
    {
        var candidates = new HashSet<int>();
        int n = Math.Min(context.Length, Distances);
        for (int d = 1; d <= n; d++)
            foreach (int v in Probabilities.Tables.TopSuccessors(context[^d], d)) candidates.Add(v);
        var ranked = new List<(int Id, double Probability)>(candidates.Count);
        foreach (int v in candidates) ranked.Add((v, Probability(context, v)));
        ranked.Sort((a, b) => a.Probability != b.Probability ? b.Probability.CompareTo(a.Probability) : a.Id.CompareTo(b.Id));
        return ranked.Take(k).ToList();
    }

    public void EnsureIntact() => Probabilities.Tables.Entries.EnsureIntact();

    public void Dispose() => Probabilities.Tables.Dispose();
}
