using LmCompare.Core;

namespace LmCompare.Counting.NGrams;

/// <summary>
/// Scores a token stream left to right the way KenLM's query does: the n-grams matched at one word are the contexts of
/// the next, so their backoffs are carried in the state instead of looked up again. Sentences restart after
/// &lt;/s&gt; from &lt;s&gt;. log10 probabilities, summed in single precision in KenLM's order.
/// </summary>
public sealed class NGramScorer
{
    private readonly NGramTable[] _tables;
    private readonly int _order;
    private readonly int[] _gram;      // the n-gram being matched: context words then the word, right-aligned
    private int[] _context;            // most recent word first
    private float[] _backoff;          // backoff of the context of length j + 1
    private int[] _nextContext;
    private float[] _nextBackoff;
    private int _length;               // context words whose n-grams exist (at most order - 1)

    public NGramScorer(NGramModel model)
    {
        _tables = model.Data.Tables;
        _order = _tables.Length;
        _gram = new int[_order];
        _context = new int[Math.Max(1, _order - 1)];
        _nextContext = new int[_context.Length];
        _backoff = new float[_context.Length];
        _nextBackoff = new float[_context.Length];
        BeginSentence();
    }

    /// <summary>Resets to the state after &lt;s&gt;.</summary>
    public void BeginSentence()
    {
        _length = 0;
        if (_order == 1) return;
        int bos = _tables[0].Find([SpecialTokens.SentenceStartId]);
        if (bos < 0) return;
        _context[0] = SpecialTokens.SentenceStartId;
        _backoff[0] = _tables[0].Backoff[bos];
        _length = 1;
    }

    /// <summary>log10 p(word | state), then moves the state past the word (and to a new sentence after &lt;/s&gt;).</summary>
    public float Next(int word)
    {
        float prob = Peek(ref word, out int matched);
        Advance(word, matched);
        return prob;
    }

    /// <summary>log10 p(word | state) without moving the state.</summary>
    public float Peek(int word) => Peek(ref word, out _);

    /// <summary>
    /// Starts from a sentence context: &lt;s&gt; and the words after it, or (a context that does not reach back to the
    /// sentence start) just its words; only the last order - 1 of them matter.
    /// </summary>
    public void Reset(ReadOnlySpan<int> context)
    {
        if (!context.IsEmpty && context[0] == SpecialTokens.SentenceStartId) { BeginSentence(); context = context[1..]; }
        else _length = 0;
        foreach (int word in context) Next(word);
    }

    /// <summary>The longest n-gram of the state and the word, plus the backoffs of the longer contexts (as KenLM adds them).</summary>
    private float Peek(ref int word, out int matched)
    {
        matched = 0;
        int unigram = _tables[0].Find([word]);
        if (unigram < 0) { word = SpecialTokens.UnknownId; unigram = _tables[0].Find([word]); }
        if (unigram < 0) return -99f;
        float prob = _tables[0].Prob[unigram];
        if (_order > 1) _nextBackoff[0] = _tables[0].Backoff[unigram];
        ulong hash = NGramTable.Extend(NGramTable.Seed, word);
        _gram[_order - 1] = word;
        for (int j = 1; j <= _length; j++)
        {
            _gram[_order - 1 - j] = _context[j - 1];
            hash = NGramTable.Extend(hash, _context[j - 1]);
            int index = _tables[j].Find(_gram.AsSpan(_order - 1 - j), hash);
            if (index < 0) break;
            prob = _tables[j].Prob[index];
            if (j < _order - 1) _nextBackoff[j] = _tables[j].Backoff[index];
            matched = j;
        }
        for (int j = matched + 1; j <= _length; j++) prob += _backoff[j - 1];
        return prob;
    }

    /// <summary>
    /// log10 p(w | state) for every id w at once: &lt;unk&gt;-level words get the unigram plus every backoff of the chain,
    /// then the successors of each matched context overwrite them, shorter contexts first (their backoffs are those of
    /// the longer contexts only). Equals <see cref="Peek(int)"/> for every word of a model whose n-grams are
    /// suffix-closed, as every lmplz model is.
    /// </summary>
    public void Distribution(NGramSuccessors successors, Span<float> log10Probs)
    {
        float chain = 0f;
        for (int j = 0; j < _length; j++) chain += _backoff[j];
        var unigram = successors.Unigram;
        System.Numerics.Tensors.TensorPrimitives.Add(unigram.AsSpan(0, log10Probs.Length), chain, log10Probs);
        Span<int> words = stackalloc int[Math.Max(1, _length)];
        for (int m = 1; m <= _length; m++)
        {
            chain -= _backoff[m - 1];
            for (int j = 0; j < m; j++) words[j] = _context[m - 1 - j]; // oldest first
            int context = _tables[m - 1].Find(words[..m]);
            if (context < 0) break;
            var table = _tables[m];
            foreach (int entry in successors.Of(m + 1, context))
            {
                int word = table.Words(entry)[^1];
                if (word < log10Probs.Length) log10Probs[word] = table.Prob[entry] + chain;
            }
        }
    }

    private void Advance(int word, int matched)
    {
        if (word == SpecialTokens.SentenceEndId) { BeginSentence(); return; }
        if (_order == 1) return;
        int length = Math.Min(matched + 1, _order - 1);
        _nextContext[0] = word;
        for (int j = 1; j < length; j++) _nextContext[j] = _context[j - 1];
        (_context, _nextContext) = (_nextContext, _context);
        (_backoff, _nextBackoff) = (_nextBackoff, _backoff);
        _length = length;
    }
}
