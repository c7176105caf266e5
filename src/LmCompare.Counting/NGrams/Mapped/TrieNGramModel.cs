using System.Runtime.CompilerServices;
using LmCompare.Core;

namespace LmCompare.Counting.NGrams.Mapped;

/// <summary>
/// An n-gram model read in place from <c>ngrams.trie</c> (<see cref="TrieFormat"/>): an n-gram's id is its index in its
/// order, a lookup is a binary search by word over its context's run of successors, and the runs themselves (in word
/// order or, through the rank section, in order of decreasing probability) are what whole distributions and exact top-k
/// ranks are read from (<see cref="TrieRanker"/>). Opening maps the file and checks its header and length; the checksum
/// of the whole file runs in the background (<see cref="EnsureIntact"/>).
/// </summary>
public sealed class TrieNGramModel : INGramLookup
{
    public const string FileName = TrieFormat.FileName;
    public const string FormatName = "trie";

    private readonly MappedFile _file;
    private readonly long[] _counts, _records, _ranks, _rankedRuns;
    private readonly int[] _recordBits, _nextBits, _rankBits, _firstBits, _rankedRunBits;
    private readonly int _wordBits;
    private readonly long _unigramRanking;
    private readonly string _path;
    private Task<bool> _verification = Task.FromResult(true);

    private TrieNGramModel(MappedFile file, long[] counts, TrieFormat.Shape shape, int vocabulary, string path)
    {
        (_file, _counts, _path, Vocabulary, Order) = (file, counts, path, vocabulary, counts.Length);
        (_records, _ranks, _unigramRanking, _) = TrieFormat.Layout(counts, shape, vocabulary);
        (_rankedRuns, RankPrefix) = (shape.RankedRuns, shape.RankPrefix);
        UnigramPrefix = (int)shape.RankedRuns[0];
        _wordBits = TrieFormat.BitsFor(vocabulary);
        (_recordBits, _nextBits, _rankBits) = (new int[Order + 1], new int[Order + 1], new int[Order + 1]);
        (_firstBits, _rankedRunBits) = (new int[Order + 1], new int[Order + 1]);
        for (int k = 2; k <= Order; k++)
        {
            _recordBits[k] = TrieFormat.RecordBits(k, counts, vocabulary);
            _nextBits[k] = k < Order ? TrieFormat.BitsFor(counts[k] + 1) : 0;
            _rankBits[k] = TrieFormat.BitsFor(shape.LongestRun[k - 1]);
            _firstBits[k] = TrieFormat.BitsFor(counts[k - 1]);
            _rankedRunBits[k] = TrieFormat.RankedRunBits(k, counts, shape.LongestRun, RankPrefix);
        }
    }

    public int Order { get; }
    public int Vocabulary { get; }
    public long Bytes => _file.Length;

    /// <summary>Records ranked per run: a run of at most this many has no ranking (it is scanned), a longer one has its
    /// most probable this many (<see cref="RankedRun"/>).</summary>
    public int RankPrefix { get; }

    /// <summary>Word ids ranked by unigram (<see cref="UnigramByRank"/>).</summary>
    public int UnigramPrefix { get; }

    /// <summary>Maps <paramref name="path"/> after checking its length and header (made from the model file with
    /// <paramref name="sourceChecksum"/>, for these counts and vocabulary); the whole-file checksum runs in the background.</summary>
    public static TrieNGramModel Open(string path, long[] counts, int vocabulary, ulong sourceChecksum)
    {
        if (!File.Exists(path)) throw new InputException($"{path}: the model's trie file is missing; rebuild the model");
        var file = new MappedFile(path);
        try
        {
            string damaged = $"{path}: the trie file is truncated or damaged";
            if (file.Length < TrieFormat.HeaderBytes + 8) throw new InputException($"{damaged} ({file.Length:N0} bytes); rebuild the model");
            var header = file.Bytes(0, TrieFormat.HeaderBytes);
            var shape = TrieFormat.ReadShape(header, counts.Length);
            bool sane = shape.RankPrefix is >= 1 and <= 1 << 16 &&
                Enumerable.Range(0, counts.Length).All(k => shape.LongestRun[k] is >= 0 && shape.LongestRun[k] <= vocabulary &&
                    shape.RankedRuns[k] >= 0 && shape.RankedRuns[k] <= (k == 0 ? vocabulary : counts[k]));
            if (!sane || !header.SequenceEqual(TrieFormat.Header(counts, shape, vocabulary, sourceChecksum)))
                throw new InputException($"{path}: the trie file belongs to another build or version (header); rebuild the model");
            long length = TrieFormat.Layout(counts, shape, vocabulary).Length;
            if (file.Length != length)
                throw new InputException($"{damaged} ({file.Length:N0} bytes, expected {length:N0}); rebuild the model");
            var model = new TrieNGramModel(file, counts, shape, vocabulary, path);
            model._verification = Task.Run(model.Verify);
            return model;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public void EnsureIntact()
    {
        if (!_verification.GetAwaiter().GetResult())
            throw new InputException($"{_path}: the trie file's checksum does not match (the file is damaged); rebuild the model");
    }

    private bool Verify()
    {
        long length = _file.Length;
        return _file.HashByReading(length - 8, new System.IO.Hashing.XxHash3()) == _file.At<ulong>(length - 8);
    }

    /// <summary>The unigram of <paramref name="word"/> (NaN probability when it has none).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TrieUnigram Unigram(int word) => (uint)word < (uint)Vocabulary ? _file.At<TrieUnigram>(_records[0] + 12L * word) : new(float.NaN, 0f, 0);

    public long FindUnigram(int word, out float prob, out float backoff)
    {
        var unigram = Unigram(word);
        (prob, backoff) = (unigram.Prob, unigram.Backoff);
        return float.IsNaN(prob) ? -1 : word;
    }

    public long Find(int order, int word, long context, out float prob, out float backoff)
    {
        var (lo, hi) = Successors(order - 1, context);
        long offset = _records[order - 1];
        int bits = _recordBits[order];
        long id = Search(offset, bits, _wordBits, lo, hi, word);
        if (id < 0)
        {
            prob = backoff = 0f;
            return -1;
        }
        prob = Prob(offset, id * bits + _wordBits);
        long at = id * bits + _wordBits + TrieFormat.ProbBits;
        backoff = order < Order ? BitConverter.UInt32BitsToSingle((uint)_file.Bits(offset, at, 32)) : 0f;
        return id;
    }

    /// <summary>The index in [<paramref name="lo"/>, <paramref name="hi"/>) of the record (<paramref name="stride"/> bits each,
    /// from byte <paramref name="offset"/>) whose leading <paramref name="width"/>-bit field is <paramref name="key"/>, or -1;
    /// the records are sorted by that field.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long Search(long offset, long stride, int width, long lo, long hi, long key)
    {
        while (lo < hi)
        {
            long mid = (lo + hi) >>> 1;
            long field = (long)_file.Bits(offset, mid * stride, width);
            if (field < key) lo = mid + 1;
            else if (field > key) hi = mid;
            else return mid;
        }
        return -1;
    }

    /// <summary>[first, end) of the successors (in order <paramref name="order"/> + 1) of n-gram <paramref name="id"/> of
    /// <paramref name="order"/>; checked against the order's size, so a damaged pointer cannot read outside the file.</summary>
    public (long First, long End) Successors(int order, long id)
    {
        long first, end;
        if (order == 1)
        {
            if ((ulong)id >= (ulong)Vocabulary) return (0, 0);
            (first, end) = (_file.At<TrieUnigram>(_records[0] + 12 * id).Next, _file.At<TrieUnigram>(_records[0] + 12 * (id + 1)).Next);
        }
        else
        {
            long offset = _records[order - 1], bits = _recordBits[order], at = _wordBits + TrieFormat.ProbBits + 32;
            first = (long)_file.Bits(offset, id * bits + at, _nextBits[order]);
            end = (long)_file.Bits(offset, (id + 1) * bits + at, _nextBits[order]);
        }
        if (first > end || end > _counts[order])
            throw new InputException($"{_path}: a successor pointer of the {order}-grams is out of range (the file is damaged); rebuild the model");
        return (first, end);
    }

    /// <summary>Word and log10 p of n-gram <paramref name="id"/> of <paramref name="order"/> (2 and up).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (int Word, float Prob) Entry(int order, long id)
    {
        long bit = id * _recordBits[order];
        long offset = _records[order - 1];
        return ((int)_file.Bits(offset, bit, _wordBits), Prob(offset, bit + _wordBits));
    }

    /// <summary>A stored log10 p: 31 bits, the sign bit (always set) restored.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float Prob(long offset, long bit) => BitConverter.UInt32BitsToSingle((uint)_file.Bits(offset, bit, TrieFormat.ProbBits) | 0x8000_0000u);

    /// <summary>The ranked-run record (see <see cref="RankPrefix"/>) of the run of order <paramref name="order"/> (2 and up)
    /// that starts at <paramref name="first"/> and is longer than the prefix: a binary search over the order's records.</summary>
    public long RankedRun(int order, long first)
    {
        long ranked = Search(_ranks[order - 1], _rankedRunBits[order], _firstBits[order], 0, _rankedRuns[order - 1], first);
        return ranked >= 0 ? ranked
            : throw new InputException($"{_path}: a run of the {order}-grams has no ranking (the file is damaged); rebuild the model");
    }

    /// <summary>The id of the <paramref name="r"/>-th most probable n-gram (r below <see cref="RankPrefix"/>) of the run
    /// starting at <paramref name="first"/>, whose ranked-run record is <paramref name="ranked"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long ByRank(int order, long ranked, long first, int r)
    {
        long bit = ranked * _rankedRunBits[order] + _firstBits[order] + (long)r * _rankBits[order];
        return first + (long)_file.Bits(_ranks[order - 1], bit, _rankBits[order]);
    }

    /// <summary>The <paramref name="r"/>-th most probable word id by unigram (r below <see cref="UnigramPrefix"/>; ids
    /// without one count as &lt;unk&gt;).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int UnigramByRank(int r) => (int)_file.Bits(_unigramRanking, (long)r * _wordBits, _wordBits);

    public void Dispose()
    {
        _verification.Wait();
        _file.Dispose();
    }
}
