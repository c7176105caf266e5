using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using LmCompare.Core;

namespace LmCompare.Counting.NGrams;

/// <summary>
/// An n-gram model scored in place from its memory-mapped <c>ngrams.bin</c>: nothing is loaded or built, so a model
/// of any size opens at once (after the checksum is read through) and the process holds only the pages scoring touches.
/// Each order's records are sorted by (last word, context index) (<see cref="ModelRecords"/>), so an n-gram is found
/// from its context's index by one binary search: a forward trie. The scorer keeps the indexes of the n-grams it matched
/// as the next word's contexts, as KenLM's state does, and sums exactly as <see cref="NGramScorer"/> does (log10, single
/// precision, the same order), so the perplexities equal the loaded model's to every bit.
/// </summary>
public sealed unsafe class MappedNGramModel : IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private readonly long[] _offsets, _counts;

    private MappedNGramModel(string path, long[] counts)
    {
        _counts = counts;
        _offsets = new long[counts.Length];
        long offset = NGramModelFile.HeaderBytes;
        for (int k = 0; k < counts.Length; k++)
        {
            if (counts[k] > int.MaxValue) throw new InputException($"{path}: {counts[k]:N0} {k + 1}-grams: more than one order can index");
            _offsets[k] = offset;
            offset += counts[k] * sizeof(NGramRecord);
        }
        _file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        _view = _file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _base = pointer + _view.PointerOffset;
    }

    /// <summary>Maps the model's file after checking its header and checksum against <paramref name="counts"/> (the manifest's).</summary>
    public static MappedNGramModel Open(string path, long[] counts)
    {
        NGramModelFile.Verify(path, counts);
        return new MappedNGramModel(path, counts);
    }

    public int Order => _counts.Length;

    public ReadOnlySpan<NGramRecord> Records(int order) => new(_base + _offsets[order - 1], (int)_counts[order - 1]);

    /// <summary>Index of the n-gram of order <paramref name="order"/> with this last word and context index, or -1.</summary>
    public int Find(int order, int word, int context)
    {
        var records = Records(order);
        long key = ((long)word << 32) | (uint)context;
        int lo = 0, hi = records.Length - 1;
        while (lo <= hi)
        {
            int mid = lo + ((hi - lo) >> 1);
            ref readonly var record = ref records[mid];
            long at = ((long)record.Word << 32) | (uint)record.Context;
            if (at == key) return mid;
            if (at < key) lo = mid + 1; else hi = mid - 1;
        }
        return -1;
    }

    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}

/// <summary>
/// Scores a token stream on a <see cref="MappedNGramModel"/> as KenLM's query does (see <see cref="NGramScorer"/>): the
/// state is the index of each matched context (the last j words, j = 1..length) and its backoff.
/// </summary>
public sealed class MappedNGramScorer
{
    private readonly MappedNGramModel _model;
    private readonly int _order;
    private int[] _context, _nextContext;       // index of the context of length j + 1 in order j + 1
    private float[] _backoff, _nextBackoff;     // its log10 backoff
    private int _length;

    public MappedNGramScorer(MappedNGramModel model)
    {
        _model = model;
        _order = model.Order;
        int n = Math.Max(1, _order - 1);
        (_context, _nextContext, _backoff, _nextBackoff) = (new int[n], new int[n], new float[n], new float[n]);
        BeginSentence();
    }

    public void BeginSentence()
    {
        _length = 0;
        if (_order == 1) return;
        int bos = _model.Find(1, SpecialTokens.SentenceStartId, 0);
        if (bos < 0) return;
        _context[0] = bos;
        _backoff[0] = _model.Records(1)[bos].Backoff;
        _length = 1;
    }

    /// <summary>log10 p(word | state), then moves the state past the word (to a new sentence after &lt;/s&gt;).</summary>
    public float Next(int word)
    {
        int unigram = _model.Find(1, word, 0);
        if (unigram < 0) { word = SpecialTokens.UnknownId; unigram = _model.Find(1, word, 0); }
        if (unigram < 0) return -99f;
        var record = _model.Records(1)[unigram];
        float prob = record.Prob;
        if (_order > 1) { _nextContext[0] = unigram; _nextBackoff[0] = record.Backoff; }
        int matched = 0;
        for (int j = 1; j <= _length; j++)
        {
            int index = _model.Find(j + 1, word, _context[j - 1]);
            if (index < 0) break;
            record = _model.Records(j + 1)[index];
            prob = record.Prob;
            if (j < _order - 1) { _nextContext[j] = index; _nextBackoff[j] = record.Backoff; }
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
