using System.Numerics.Tensors;
using LmCompare.Core;

namespace LmCompare.Counting.NGrams.Mapped;

/// <summary>
/// An n-gram model as <see cref="ILanguageModel"/> scored in place from <c>ngrams.trie</c>: scores as KenLM's query
/// (<see cref="ContextStateScorer"/>), whole distributions and exact top-k ranks off the successor runs
/// (<see cref="TrieRanker"/>), nothing loaded but the pages the lookups touch. Natural logs at the interface, as
/// <see cref="NGramModel"/>; &lt;s&gt; is never predicted.
/// </summary>
public sealed class TrieNGramLanguageModel(string name, Vocabulary vocabulary, TrieNGramModel trie, ModelFootprint footprint)
    : ILanguageModel, IRankedScoring
{
    private const double Ln10 = 2.302585092994046;
    private readonly TrieRanker _ranker = new(trie);

    public string Name { get; } = name;
    public Vocabulary Vocabulary { get; } = vocabulary;
    public ModelFootprint Footprint { get; } = footprint;
    public TrieNGramModel Trie => trie;

    /// <summary>The trie is read only; each call keeps its state in a scorer of its own.</summary>
    public bool ScoresConcurrently => true;

    private ContextStateScorer At(ReadOnlySpan<int> tokens, int start)
    {
        var scorer = new ContextStateScorer(trie);
        if (start > 0) scorer.ResetTo(tokens, start);
        return scorer;
    }

    public void Score(ReadOnlySpan<int> tokens, int start, Span<double> logProbs)
    {
        var scorer = At(tokens, start);
        for (int i = start; i < tokens.Length; i++) logProbs[i - start] = scorer.Next(tokens[i]) * Ln10;
    }

    public void NextTokenLogProbs(ReadOnlySpan<int> context, Span<float> logProbs)
    {
        var row = logProbs[..Vocabulary.Count];
        _ranker.Distribution(At(context, context.Length), row);
        TensorPrimitives.Multiply(row, (float)Ln10, row);
        row[SpecialTokens.SentenceStartId] = float.NegativeInfinity;
    }

    public void ScoreDistributions(ReadOnlySpan<int> tokens, int start, Span<double> logProbs, Span<float> probabilities)
    {
        int v = Vocabulary.Count;
        var scorer = At(tokens, start);
        for (int i = start; i < tokens.Length; i++)
        {
            var row = probabilities.Slice((i - start) * v, v);
            _ranker.Distribution(scorer, row);
            TensorPrimitives.Multiply(row, (float)Ln10, row);
            TensorPrimitives.Exp(row, row);
            row[SpecialTokens.SentenceStartId] = 0f;
            logProbs[i - start] = scorer.Next(tokens[i]) * Ln10;
        }
    }

    public void ScoreRanks(ReadOnlySpan<int> tokens, int start, Span<double> logProbs, Span<int> ranks, int cap)
    {
        var scorer = At(tokens, start);
        for (int i = start; i < tokens.Length; i++)
        {
            ranks[i - start] = _ranker.Rank(scorer, tokens[i], cap);
            logProbs[i - start] = scorer.Next(tokens[i]) * Ln10;
        }
    }

    public void EnsureIntact() => trie.EnsureIntact();

    public void Dispose() => trie.Dispose();
}
