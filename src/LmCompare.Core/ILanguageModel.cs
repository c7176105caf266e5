namespace LmCompare.Core;

/// <summary>
/// Everything that scores text goes through this interface, so the evaluator, generation and the REPL
/// treat every model alike. All log-probabilities are natural logarithms (ln). The start of a span is the start of a
/// text: every model treats it as following a sentence end (n-gram models: after &lt;s&gt;; the others: after &lt;/s&gt;).
/// </summary>
public interface ILanguageModel : IDisposable
{
    string Name { get; }

    Vocabulary Vocabulary { get; }

    /// <summary>ln p(next | context) for every id of the vocabulary; the probabilities sum to 1.</summary>
    void NextTokenLogProbs(ReadOnlySpan<int> context, Span<float> logProbs);

    /// <summary>ln p(tokens[i] | tokens[..i]) into logProbs[i - start] for every i &gt;= start.</summary>
    void Score(ReadOnlySpan<int> tokens, int start, Span<double> logProbs);

    /// <summary>
    /// <see cref="Score"/> plus the whole next-token distribution at every scored position, as plain probabilities
    /// (not logs): row i - start of <paramref name="probabilities"/> ((tokens.Length - start) x V) is p(. | tokens[..i]).
    /// The evaluator needs it for top-k accuracy and for mixtures. This default asks <see cref="NextTokenLogProbs"/> once
    /// per position; models override it with a batched (transformer) or sparse (count models) version.
    /// </summary>
    void ScoreDistributions(ReadOnlySpan<int> tokens, int start, Span<double> logProbs, Span<float> probabilities)
    {
        Score(tokens, start, logProbs);
        int v = Vocabulary.Count;
        for (int i = start; i < tokens.Length; i++)
        {
            var row = probabilities.Slice((i - start) * v, v);
            NextTokenLogProbs(tokens[..i], row);
            for (int w = 0; w < v; w++) row[w] = MathF.Exp(row[w]);
        }
    }

    /// <summary>
    /// Several independent spans at once, each scored as if alone from its start (sentence scope scores every line this
    /// way): log-probabilities of all their positions, span after span, into <paramref name="logProbs"/>, and with a
    /// non-empty <paramref name="probabilities"/> the distributions too, row after row (see <see cref="ScoreDistributions"/>).
    /// The transformer packs the spans into one batch per forward pass; this default scores them one by one.
    /// </summary>
    void ScoreBatch(IReadOnlyList<ReadOnlyMemory<int>> spans, Span<double> logProbs, Span<float> probabilities)
    {
        int v = Vocabulary.Count, at = 0;
        foreach (var span in spans)
        {
            int n = span.Length;
            if (probabilities.IsEmpty) Score(span.Span, 0, logProbs.Slice(at, n));
            else ScoreDistributions(span.Span, 0, logProbs.Slice(at, n), probabilities.Slice(at * v, n * v));
            at += n;
        }
    }

    ModelFootprint Footprint { get; }

    /// <summary>Whether <see cref="Score"/> and <see cref="IRankedScoring.ScoreRanks"/> may run on several threads at once,
    /// each call on its own span and buffers (the count models read shared tables only, with per-thread scratch); the
    /// evaluator then scores several spans in parallel. False by default: the transformer's batches already use every
    /// core.</summary>
    bool ScoresConcurrently => false;

    /// <summary>Throws when the model's files turned out damaged: models read in place check their checksum beside the
    /// scoring, and every figure is reported only after this returns. Models loaded whole were checked at load.</summary>
    void EnsureIntact() { }
}
