using LmCompare.Core;

namespace LmCompare.Counting.NGrams;

/// <summary>
/// An n-gram model that names each n-gram by an id and finds an n-gram from its last word and its context's id: the form
/// both scored-in-place files take (<see cref="NGramFileModel"/>: index in <c>ngrams.bin</c>;
/// <see cref="Mapped.ProbingNGramModel"/>: slot in <c>ngrams.probing</c>).
/// </summary>
public interface INGramLookup : IDisposable
{
    int Order { get; }

    /// <summary>The id of <paramref name="word"/>'s unigram, or -1; its log10 p and log10 backoff.</summary>
    long FindUnigram(int word, out float prob, out float backoff);

    /// <summary>The id of the n-gram of <paramref name="order"/> (2 and up) with this last word and context id, or -1; its
    /// log10 p and (below the top order) log10 backoff.</summary>
    long Find(int order, int word, long context, out float prob, out float backoff);

    /// <summary>A hint that <see cref="Find"/> of this n-gram follows: a lookup that can name the memory it will read asks
    /// for it now, so the lookups of one token overlap (their context ids come from the state, not from each other).</summary>
    void Prefetch(int order, int word, long context) { }

    /// <summary>Throws when the file turned out damaged (a check that may run beside the scoring): call before reporting.</summary>
    void EnsureIntact();
}

/// <summary>
/// Scores a token stream on an <see cref="INGramLookup"/> as KenLM's query does (see <see cref="NGramScorer"/>): the state
/// is the id of each matched context (the last j words, j = 1..length) and its backoff, so the perplexities equal the
/// loaded model's to every bit.
/// </summary>
public sealed class ContextStateScorer
{
    private readonly INGramLookup _model;
    private readonly int _order;
    private long[] _context, _nextContext;      // id of the context of length j + 1 in order j + 1
    private float[] _backoff, _nextBackoff;     // its log10 backoff
    private int _length;

    public ContextStateScorer(INGramLookup model)
    {
        _model = model;
        _order = model.Order;
        int n = Math.Max(1, _order - 1);
        (_context, _nextContext, _backoff, _nextBackoff) = (new long[n], new long[n], new float[n], new float[n]);
        BeginSentence();
    }

    public void BeginSentence()
    {
        _length = 0;
        if (_order == 1) return;
        long bos = _model.FindUnigram(SpecialTokens.SentenceStartId, out _, out float backoff);
        if (bos < 0) return;
        _context[0] = bos;
        _backoff[0] = backoff;
        _length = 1;
    }

    /// <summary>Context words whose n-grams exist (at most order - 1): the state's length.</summary>
    public int Length => _length;

    /// <summary>The id of the context of the last <c>j + 1</c> words (in order j + 1), j below <see cref="Length"/>.</summary>
    public ReadOnlySpan<long> Contexts => _context.AsSpan(0, _length);

    /// <summary>Their log10 backoffs.</summary>
    public ReadOnlySpan<float> Backoffs => _backoff.AsSpan(0, _length);

    /// <summary>
    /// The state before position <paramref name="start"/> of <paramref name="tokens"/>, the span's start being a sentence
    /// start: &lt;s&gt; then the tokens since the last &lt;/s&gt;, or (when the sentence began more than order - 1 tokens
    /// back) an empty state fed the last order - 1 tokens, which reaches the same state (it depends on those words only).
    /// </summary>
    public void ResetTo(ReadOnlySpan<int> tokens, int start)
    {
        int from = start;
        while (from > 0 && tokens[from - 1] != SpecialTokens.SentenceEndId && start - from < _order - 1) from--;
        if (start - from < _order - 1) BeginSentence();
        else _length = 0;
        for (int i = from; i < start; i++) Next(tokens[i]);
    }

    /// <summary>log10 p(word | state), then moves the state past the word (to a new sentence after &lt;/s&gt;).</summary>
    public float Next(int word)
    {
        long unigram = _model.FindUnigram(word, out float prob, out float b);
        if (unigram < 0) { word = SpecialTokens.UnknownId; unigram = _model.FindUnigram(word, out prob, out b); }
        if (unigram < 0) return -99f;
        if (_order > 1) { _nextContext[0] = unigram; _nextBackoff[0] = b; }
        for (int j = 1; j <= _length; j++) _model.Prefetch(j + 1, word, _context[j - 1]);
        int matched = 0;
        for (int j = 1; j <= _length; j++)
        {
            long id = _model.Find(j + 1, word, _context[j - 1], out float p, out b);
            if (id < 0) break;
            prob = p;
            if (j < _order - 1) { _nextContext[j] = id; _nextBackoff[j] = b; }
            matched = j;
        }
        for (int j = matched + 1; j <= _length; j++) prob += _backoff[j - 1];
        if (word == SpecialTokens.SentenceEndId) BeginSentence();
        else if (_order > 1)
        {
            (_context, _nextContext) = (_nextContext, _context);
            (_backoff, _nextBackoff) = (_nextBackoff, _backoff);
            _length = Math.Min(matched + 1, _order - 1);
        }
        return prob;
    }
}
