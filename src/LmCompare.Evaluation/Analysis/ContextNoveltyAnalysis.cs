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

    /// <summary>k of every position of <paramref name="tokens"/>, in split order. Every suffix length of every position is
    /// looked up at once per length (<see cref="ITrainingKeys.ContainsAll"/>); k is then the run of lengths seen from 1,
    /// as <see cref="Longest"/> finds it one lookup at a time.</summary>
    public byte[] Buckets(ReadOnlySpan<int> tokens, DocumentIndex documents, EvaluationScope scope)
    {
        var k = new byte[tokens.Length];
        var units = ScoringUnits.Of(tokens, documents, scope).ToList();
        Span<int> longest = stackalloc int[MaxK];
        for (int length = 1; length <= MaxK; length++)
        {
            var keys = new List<ulong>();
            var positions = new List<int>();
            var history = longest[..length];
            foreach (var (start, end) in units)
                for (int i = start; i < end; i++)
                {
                    if (k[i] != length - 1 || i - start + 1 < length) continue; // a shorter suffix was unseen, or no history this long
                    // history = </s>, tokens[start..i]; its last `length` tokens
                    for (int j = 0; j < length; j++)
                    {
                        int position = i - length + j;
                        history[j] = position < start ? SpecialTokens.SentenceEndId : tokens[position];
                    }
                    keys.Add(KeyCensus.NGramKey(history));
                    positions.Add(i);
                }
            var found = new bool[keys.Count];
            _training[length - 1].ContainsAll(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(keys), found);
            for (int q = 0; q < found.Length; q++) if (found[q]) k[positions[q]] = (byte)length;
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
