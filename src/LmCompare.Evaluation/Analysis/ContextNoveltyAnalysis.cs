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
    public byte[] Buckets(int[] tokens, DocumentIndex documents, EvaluationScope scope) =>
        Combine(Enumerable.Range(1, MaxK).Select(length => Seen(_training[length - 1], length, tokens, documents, scope)).ToArray());

    /// <summary>
    /// Per position, whether the suffix of <paramref name="length"/> tokens of its history was seen in training (false when
    /// the history is shorter), asked of that order's keys at once (<see cref="ITrainingKeys.ContainsAll"/>). The history is
    /// &lt;/s&gt;, then the scope's tokens before the position.
    /// </summary>
    public static bool[] Seen(ITrainingKeys order, int length, int[] tokens, DocumentIndex documents, EvaluationScope scope)
    {
        var keys = new List<ulong>();
        var positions = new List<int>();
        Span<int> history = stackalloc int[length];
        foreach (var (start, end) in ScoringUnits.Of(tokens, documents, scope))
            for (int i = start + length - 1; i < end; i++) // i - start + 1 tokens of history, </s> included
            {
                for (int j = 0; j < length; j++)
                {
                    int position = i - length + j;
                    history[j] = position < start ? SpecialTokens.SentenceEndId : tokens[position];
                }
                keys.Add(KeyCensus.NGramKey(history));
                positions.Add(i);
            }
        var found = new bool[keys.Count];
        order.ContainsAll(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(keys), found);
        var seen = new bool[tokens.Length];
        for (int q = 0; q < found.Length; q++) seen[positions[q]] = found[q];
        return seen;
    }

    /// <summary>k per position from <see cref="Seen"/> of lengths 1..<see cref="MaxK"/>: the run of seen lengths from 1
    /// (a longer suffix cannot be seen if a shorter one is not).</summary>
    public static byte[] Combine(IReadOnlyList<bool[]> seenByLength)
    {
        var k = new byte[seenByLength[0].Length];
        for (int i = 0; i < k.Length; i++)
        {
            int length = 0;
            while (length < seenByLength.Count && seenByLength[length][i]) length++;
            k[i] = (byte)length;
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
