using LmCompare.Core;
using LmCompare.Evaluation.Metrics;

namespace LmCompare.Evaluation.Analysis;

/// <summary>
/// Context novelty (docs/ARCHITECTURE.md, "The evaluation protocol"): every scored position gets k, the length of the longest suffix of its
/// history (at most <see cref="MaxK"/> tokens) that occurs anywhere in the training data. k = 4: the model has seen
/// this exact 4-word context; k = 1: only the previous word; k = 0: not even that. Perplexity per k is where
/// "embeddings generalise to unseen contexts" becomes a number. The history is the scope's: the tokens of the line
/// (sentence scope) or of the document before the position, after the &lt;/s&gt; every span starts from.
/// </summary>
public sealed class ContextNoveltyAnalysis
{
    public const int MaxK = 4;
    private readonly ITrainingKeys[] _training; // orders 1..MaxK

    public ContextNoveltyAnalysis(IReadOnlyList<ITrainingKeys> trainingNGrams)
    {
        if (trainingNGrams.Count < MaxK) throw new ArgumentException($"needs the training n-grams of orders 1..{MaxK}");
        _training = trainingNGrams.Take(MaxK).ToArray();
    }

    /// <summary>k of every position of <paramref name="tokens"/>, in split order.</summary>
    public byte[] Buckets(ReadOnlySpan<int> tokens, DocumentIndex documents, EvaluationScope scope)
    {
        var k = new byte[tokens.Length];
        Span<int> history = stackalloc int[MaxK];
        foreach (var (start, end) in ScoringUnits.Of(tokens, documents, scope))
            for (int i = start; i < end; i++)
            {
                // history = </s>, tokens[start..i]; its last MaxK tokens
                int available = Math.Min(MaxK, i - start + 1);
                for (int j = 0; j < available; j++)
                {
                    int position = i - available + j;
                    history[j] = position < start ? SpecialTokens.SentenceEndId : tokens[position];
                }
                k[i] = (byte)Longest(history[..available]);
            }
        return k;
    }

    /// <summary>The longest suffix of <paramref name="history"/> seen in training (a longer one cannot be seen if a shorter one is not).</summary>
    public int Longest(ReadOnlySpan<int> history)
    {
        int k = 0;
        for (int length = 1; length <= history.Length; length++)
        {
            if (!_training[length - 1].Contains(KeyCensus.NGramKey(history[^length..]))) break;
            k = length;
        }
        return k;
    }
}
