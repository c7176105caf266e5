using LmCompare.Core;

namespace LmCompare.Evaluation.Tests;

/// <summary>A model with one fixed next-token distribution whatever the context (hand-computable fixtures).</summary>
public sealed class FixedModel(string name, Vocabulary vocabulary, double[] probabilities) : ILanguageModel
{
    public string Name { get; } = name;
    public Vocabulary Vocabulary { get; } = vocabulary;
    public ModelFootprint Footprint { get; } = new(probabilities.Length, 1000, probabilities.Length);

    public void NextTokenLogProbs(ReadOnlySpan<int> context, Span<float> logProbs)
    {
        for (int i = 0; i < probabilities.Length; i++) logProbs[i] = (float)Math.Log(probabilities[i]);
    }

    public void Score(ReadOnlySpan<int> tokens, int start, Span<double> logProbs)
    {
        for (int i = start; i < tokens.Length; i++) logProbs[i - start] = Math.Log(probabilities[tokens[i]]);
    }

    public void Dispose() { }

    /// <summary>Ids 0..2 reserved, then words "a", "b", ... .</summary>
    public static Vocabulary VocabularyOf(int words) =>
        Vocabulary.Build(Enumerable.Range(0, words).Select(i => new KeyValuePair<string, long>(((char)('a' + i)).ToString(), 100 - i)),
            new VocabularyOptions());
}

/// <summary>A bigram model with add-one smoothing over a training stream: context-dependent, normalised, never predicts &lt;s&gt;.</summary>
public sealed class AddOneBigram : ILanguageModel
{
    private readonly long[,] _counts;
    private readonly long[] _totals;

    public AddOneBigram(string name, Vocabulary vocabulary, ReadOnlySpan<int> train)
    {
        Name = name;
        Vocabulary = vocabulary;
        int v = vocabulary.Count;
        _counts = new long[v, v];
        _totals = new long[v];
        int previous = SpecialTokens.SentenceEndId;
        foreach (int t in train) { _counts[previous, t]++; _totals[previous]++; previous = t; }
    }

    public string Name { get; }
    public Vocabulary Vocabulary { get; }
    public ModelFootprint Footprint => new(_counts.Length, 2000, _counts.Length);

    private double P(int previous, int next) => next == SpecialTokens.SentenceStartId ? 0
        : (_counts[previous, next] + 1.0) / (_totals[previous] + Vocabulary.Count - 1);

    public void NextTokenLogProbs(ReadOnlySpan<int> context, Span<float> logProbs)
    {
        int previous = context.IsEmpty ? SpecialTokens.SentenceEndId : context[^1];
        for (int w = 0; w < Vocabulary.Count; w++) logProbs[w] = (float)Math.Log(P(previous, w));
    }

    public void Score(ReadOnlySpan<int> tokens, int start, Span<double> logProbs)
    {
        for (int i = start; i < tokens.Length; i++) logProbs[i - start] = Math.Log(P(i == 0 ? SpecialTokens.SentenceEndId : tokens[i - 1],
            tokens[i]));
    }

    public void Dispose() { }
}

/// <summary><see cref="AddOneBigram"/> with ranks counted in its distribution (<see cref="IRankedScoring"/>), declaring
/// itself safe for concurrent scoring or not, and noting the threads that scored with it. With
/// <paramref name="awaitSecondThread"/> its first call waits (up to 30 s) until a call comes from another thread, so a
/// parallel loop shows that it used one even on a busy thread pool.</summary>
public sealed class RankedBigram(AddOneBigram bigram, bool concurrent, bool awaitSecondThread = false) : ILanguageModel, IRankedScoring
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, bool> _threads = new();
    private readonly ManualResetEventSlim _second = new();
    private int _calls;

    public string Name => bigram.Name;
    public Vocabulary Vocabulary => bigram.Vocabulary;
    public ModelFootprint Footprint => bigram.Footprint;
    public bool ScoresConcurrently => concurrent;
    public int Threads => _threads.Count;

    public void NextTokenLogProbs(ReadOnlySpan<int> context, Span<float> logProbs) => bigram.NextTokenLogProbs(context, logProbs);

    public void Score(ReadOnlySpan<int> tokens, int start, Span<double> logProbs)
    {
        _threads[Environment.CurrentManagedThreadId] = true;
        if (_threads.Count > 1) _second.Set();
        else if (awaitSecondThread && Interlocked.Increment(ref _calls) == 1) _second.Wait(TimeSpan.FromSeconds(30));
        bigram.Score(tokens, start, logProbs);
    }

    public void ScoreRanks(ReadOnlySpan<int> tokens, int start, Span<double> logProbs, Span<int> ranks, int cap)
    {
        Score(tokens, start, logProbs);
        var row = new float[Vocabulary.Count];
        for (int i = start; i < tokens.Length; i++)
        {
            NextTokenLogProbs(tokens[..i], row);
            float target = row[tokens[i]];
            ranks[i - start] = Math.Min(row.Count(p => p > target), cap);
        }
    }

    public void Dispose() => _second.Dispose();
}
