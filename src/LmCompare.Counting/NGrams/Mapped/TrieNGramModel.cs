using System.IO.Hashing;
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
    private readonly long[] _counts, _records, _ranks;
    private readonly int[] _recordBits, _nextBits, _rankBits;
    private readonly int _wordBits;
    private readonly long _unigramRanking;
    private readonly string _path;
    private Task<bool> _verification = Task.FromResult(true);

    private TrieNGramModel(MappedFile file, long[] counts, long[] longest, int vocabulary, string path)
    {
        (_file, _counts, _path, Vocabulary, Order) = (file, counts, path, vocabulary, counts.Length);
        (_records, _ranks, _unigramRanking, _) = TrieFormat.Layout(counts, longest, vocabulary);
        _wordBits = TrieFormat.BitsFor(vocabulary);
        _recordBits = new int[Order + 1];
        _nextBits = new int[Order + 1];
        _rankBits = new int[Order + 1];
        for (int k = 2; k <= Order; k++)
        {
            _recordBits[k] = TrieFormat.RecordBits(k, counts, vocabulary);
            _nextBits[k] = k < Order ? TrieFormat.BitsFor(counts[k] + 1) : 0;
            _rankBits[k] = TrieFormat.BitsFor(longest[k - 1]);
        }
    }

    public int Order { get; }
    public int Vocabulary { get; }
    public long Bytes => _file.Length;

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
            var longest = TrieFormat.LongestRuns(file.Bytes(0, TrieFormat.HeaderBytes), counts.Length);
            if (longest.Any(l => l < 0 || l > vocabulary) ||
                !file.Bytes(0, TrieFormat.HeaderBytes).SequenceEqual(TrieFormat.Header(counts, longest, vocabulary, sourceChecksum)))
                throw new InputException($"{path}: the trie file belongs to another build or version (header); rebuild the model");
            long length = TrieFormat.Layout(counts, longest, vocabulary).Length;
            if (file.Length != length)
                throw new InputException($"{damaged} ({file.Length:N0} bytes, expected {length:N0}); rebuild the model");
            var model = new TrieNGramModel(file, counts, longest, vocabulary, path);
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
        var hash = new XxHash64();
        for (long at = 0; at < length - 8; at += 1 << 24) hash.Append(_file.Bytes(at, (int)Math.Min(1 << 24, length - 8 - at)));
        return hash.GetCurrentHashAsUInt64() == _file.At<ulong>(length - 8);
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
        while (lo < hi)
        {
            long mid = (lo + hi) >>> 1;
            long w = (long)_file.Bits(offset, mid * bits, _wordBits);
            if (w < word) lo = mid + 1;
            else if (w > word) hi = mid;
            else
            {
                prob = BitConverter.UInt32BitsToSingle((uint)_file.Bits(offset, mid * bits + _wordBits, 32));
                backoff = order < Order ? BitConverter.UInt32BitsToSingle((uint)_file.Bits(offset, mid * bits + _wordBits + 32, 32)) : 0f;
                return mid;
            }
        }
        prob = backoff = 0f;
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
            long offset = _records[order - 1], bits = _recordBits[order], at = 64 + _wordBits;
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
        return ((int)_file.Bits(offset, bit, _wordBits), BitConverter.UInt32BitsToSingle((uint)_file.Bits(offset, bit + _wordBits, 32)));
    }

    /// <summary>The id of the <paramref name="r"/>-th most probable n-gram of the run starting at <paramref name="first"/>
    /// (order <paramref name="order"/>, 2 and up), from the rank section.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long ByRank(int order, long first, long r) =>
        first + (long)_file.Bits(_ranks[order - 1], (first + r) * _rankBits[order], _rankBits[order]);

    /// <summary>The <paramref name="r"/>-th most probable word id by unigram (ids without one count as &lt;unk&gt;).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int UnigramByRank(int r) => _file.At<int>(_unigramRanking + 4L * r);

    public void Dispose()
    {
        _verification.Wait();
        _file.Dispose();
    }
}
