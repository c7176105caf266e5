using System.Numerics.Tensors;
using LmCompare.Core;

namespace LmCompare.Counting.NGrams;

/// <summary>
/// A backoff n-gram model scored as KenLM's query scores it: log10 p(w | h) = prob(longest n-gram h'w present) plus the
/// backoffs of the contexts of h longer than h' (Katz 1987), summed in single precision in that order. Every
/// &lt;/s&gt; ends a sentence: the next token is scored after &lt;s&gt;, as n-gram models score sentences independently.
/// The <see cref="ILanguageModel"/> calls return natural logs; &lt;s&gt; is never predicted.
/// </summary>
public sealed class NGramModel : ILanguageModel
{
    private const int Bos = SpecialTokens.SentenceStartId, Eos = SpecialTokens.SentenceEndId;
    private const double Ln10 = 2.302585092994046;
    private readonly NGramTable[] _tables;
    private NGramSuccessors? _successors;

    public NGramModel(string name, Vocabulary vocabulary, NGramModelData data, ModelFootprint footprint)
    {
        Name = name;
        Vocabulary = vocabulary;
        Data = data;
        _tables = data.Tables;
        Footprint = footprint;
    }

    public string Name { get; }
    public Vocabulary Vocabulary { get; }
    public NGramModelData Data { get; }
    public int Order => _tables.Length;
    public ModelFootprint Footprint { get; }

    /// <summary>
    /// log10 p(word | context); <paramref name="context"/> holds the previous tokens of the sentence, &lt;s&gt; first
    /// (only the last N-1 are used). A word missing from the unigrams is scored as &lt;unk&gt;.
    /// </summary>
    public float Log10Prob(ReadOnlySpan<int> context, int word)
    {
        var scorer = new NGramScorer(this);
        scorer.Reset(context);
        return scorer.Peek(word);
    }

    /// <summary>The sentence context of position <paramref name="i"/>: &lt;s&gt; and the tokens since the last &lt;/s&gt;.</summary>
    private static int SentenceContext(ReadOnlySpan<int> tokens, int i, Span<int> buffer, int maxContext)
    {
        int start = i;
        while (start > 0 && tokens[start - 1] != Eos && i - start < maxContext) start--;
        int length = i - start;
        bool withBos = length < maxContext; // the sentence start is within reach
        int n = 0;
        if (withBos) buffer[n++] = Bos;
        tokens[start..i].CopyTo(buffer[n..]);
        return n + length;
    }

    public void Score(ReadOnlySpan<int> tokens, int start, Span<double> logProbs)
    {
        if (start == 0)
        {
            var scorer = new NGramScorer(this);
            for (int i = 0; i < tokens.Length; i++) logProbs[i] = scorer.Next(tokens[i]) * Ln10;
            return;
        }
        Span<int> context = stackalloc int[Order];
        var random = new NGramScorer(this);
        for (int i = start; i < tokens.Length; i++)
        {
            int n = SentenceContext(tokens, i, context, Order - 1);
            random.Reset(context[..n]);
            logProbs[i - start] = random.Peek(tokens[i]) * Ln10;
        }
    }

    /// <summary>The whole distribution off the successor index: O(V + successors of the context chain), not V lookups.</summary>
    public void NextTokenLogProbs(ReadOnlySpan<int> context, Span<float> logProbs)
    {
        Span<int> buffer = stackalloc int[Order];
        int n = SentenceContext(context, context.Length, buffer, Order - 1);
        var scorer = new NGramScorer(this);
        scorer.Reset(buffer[..n]);
        scorer.Distribution(Successors, logProbs[..Vocabulary.Count]);
        TensorPrimitives.Multiply(logProbs, (float)Ln10, logProbs);
        logProbs[Bos] = float.NegativeInfinity;
    }

    /// <summary>The successor index for whole distributions, built on first use (a second or so for a Brown 5-gram).</summary>
    public NGramSuccessors Successors => _successors ??= new NGramSuccessors(Data, Vocabulary.Count);

    /// <summary>Scores with one scorer walking the span and reads each position's distribution off its state.</summary>
    public void ScoreDistributions(ReadOnlySpan<int> tokens, int start, Span<double> logProbs, Span<float> probabilities)
    {
        int v = Vocabulary.Count;
        var successors = Successors;
        Span<int> context = stackalloc int[Order];
        var scorer = new NGramScorer(this);
        scorer.Reset(context[..SentenceContext(tokens, start, context, Order - 1)]);
        for (int i = start; i < tokens.Length; i++)
        {
            var row = probabilities.Slice((i - start) * v, v);
            scorer.Distribution(successors, row);
            TensorPrimitives.Multiply(row, (float)Ln10, row);
            TensorPrimitives.Exp(row, row);
            row[Bos] = 0f;
            logProbs[i - start] = scorer.Next(tokens[i]) * Ln10;
        }
    }

    public void Dispose() { }
}

/// <summary>KenLM's query summary: perplexity including and excluding OOVs (log10 sums as query keeps them).</summary>
public sealed record KenLmPerplexity(long Tokens, long Oov, double Perplexity, double PerplexityExclOov, double Log10Total)
{
    /// <summary>Scores every sentence (ended by &lt;/s&gt;) after &lt;s&gt;, summing each sentence in float and the corpus in double.</summary>
    public static KenLmPerplexity Compute(NGramModel model, ReadOnlySpan<int> tokens) => Compute(new NGramScorer(model).Next, tokens);

    /// <summary>The same on a model scored in place from its file.</summary>
    public static KenLmPerplexity Compute(INGramLookup model, ReadOnlySpan<int> tokens) => Compute(new ContextStateScorer(model).Next, tokens);

    private static KenLmPerplexity Compute(Func<int, float> next, ReadOnlySpan<int> tokens)
    {
        double total = 0, oovTotal = 0;
        long count = 0, oov = 0;
        float sentence = 0f;
        foreach (int token in tokens)
        {
            float p = next(token);
            sentence += p;
            count++;
            if (token == SpecialTokens.UnknownId) { oov++; oovTotal += p; }
            if (token == SpecialTokens.SentenceEndId) { total += sentence; sentence = 0f; }
        }
        total += sentence;
        double incl = count == 0 ? double.NaN : Math.Pow(10, -total / count);
        double excl = count == oov ? double.NaN : Math.Pow(10, -(total - oovTotal) / (count - oov));
        return new KenLmPerplexity(count, oov, incl, excl, total);
    }
}
