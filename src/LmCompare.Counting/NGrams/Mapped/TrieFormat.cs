using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace LmCompare.Counting.NGrams.Mapped;

/// <summary>
/// <c>ngrams.trie</c>, the n-gram model as a sorted trie scored in place (after KenLM's <c>trie</c> structure,
/// lm/trie.hh, unquantised): unigrams as an array indexed by word id, each with the index of its first successor one
/// order up; every higher order's n-grams sorted by (context's index one order down, last word), so the successors of a
/// context are one run, found from the context's pointer and the next record's, and searched by word. Records are
/// bit-packed: word in ceil(log2 V) bits, log10 p in 31 bits (a log probability is never positive, so its sign bit is
/// not stored, as in KenLM's <c>WriteNonPositiveFloat31</c>), log10 backoff as a 32-bit float, the successor pointer in
/// ceil(log2 (n-grams one order up + 1)) bits; the top order has word and probability only. A middle order ends with one
/// pointer-only record (the end of the last run).
/// <para>
/// After the orders, the <b>rank section</b>, which KenLM does not have. For every order from 2 up, one record per
/// <i>ranked run</i>, a run longer than the rank prefix P (header; <see cref="DefaultRankPrefix"/>), in run order: the
/// run's first index (ceil(log2 n-grams) bits, what a binary search finds the record by), then the offsets within the
/// run of its P most probable records (ceil(log2 longest run) bits each; ties in trie order). Then the
/// most probable word ids by unigram, as many as the header's ranked runs of order 1 say (<see cref="DefaultUnigramPrefix"/>
/// or V if smaller; ceil(log2 V) bits each). Top-k ranks read a run in
/// order of decreasing probability from its prefix, and scan runs of at most P records, or a ranked run whose prefix
/// ends before the count is settled (<see cref="TrieRanker"/>). Then the XxHash3 (64-bit) of everything before. Little-endian;
/// sections 8-byte aligned and followed by 8 spare bytes, so a 64-bit read at any bit of a section stays in the file.
/// </para>
/// </summary>
internal static class TrieFormat
{
    public const string FileName = "ngrams.trie";
    public static ReadOnlySpan<byte> Magic => "LMCTRIE1"u8;
    public const int Version = 3; // 3: the trailer is XxHash3, not XxHash64
    /// <summary>Magic, version, order, vocabulary size, rank prefix, the source file's checksum, then per order
    /// (up to <see cref="KneserNeySettings.MaxOrder"/>): n-grams, longest run, ranked runs, records' offset, ranks' offset.</summary>
    public const int HeaderBytes = 32 + PerOrderBytes * KneserNeySettings.MaxOrder;
    private const int PerOrderBytes = 40;

    /// <summary>Records ranked per run. Kneser-Ney models read at most cap + 1 of a run's (6 for top-5): a record skipped
    /// because a longer context has its word beats the target there too, so it is already counted (an interpolated
    /// probability is never below the backoff times the lower order's). 16 leaves room for other models and keeps the
    /// section small (0.4 MB on sotu, 3 MB on debian-docs, against 6.7 and 63 MB for every run's whole ranking).</summary>
    public const int DefaultRankPrefix = 16;

    /// <summary>Word ids ranked by unigram: a count reaches the unigrams' scan (every id) only when these run out.</summary>
    public const int DefaultUnigramPrefix = 1024;

    /// <summary>Bits that hold every value in [0, <paramref name="values"/>) (at least 1).</summary>
    public static int BitsFor(long values) => Math.Max(1, 64 - (int)ulong.LeadingZeroCount((ulong)Math.Max(1, values - 1)));

    /// <summary>Bits of one record of order <paramref name="k"/> (2 and up): word, log10 p, and below the top order log10
    /// backoff and the successor pointer.</summary>
    public static int RecordBits(int k, long[] counts, int vocabulary) =>
        BitsFor(vocabulary) + ProbBits + (k < counts.Length ? 32 + BitsFor(counts[k] + 1) : 0);

    /// <summary>Bits of a stored log10 p: a float without its sign bit.</summary>
    public const int ProbBits = 31;

    /// <summary>Bits of one ranked-run record of order <paramref name="k"/>: first index, then P offsets.</summary>
    public static int RankedRunBits(int k, long[] counts, long[] longestRun, int rankPrefix) =>
        BitsFor(counts[k - 1]) + rankPrefix * BitsFor(longestRun[k - 1]);

    /// <summary>Byte length of a section of <paramref name="bits"/> bits: rounded up to 8 bytes, plus 8 spare.</summary>
    public static long SectionBytes(long bits) => ((bits + 63) / 64) * 8 + 8;

    /// <summary>What the layout depends on beyond the manifest's counts and vocabulary (kept in the header): per order
    /// the longest run and the ranked runs (runs longer than the rank prefix; for order 1, the ids in the unigram
    /// ranking), and the rank prefix.</summary>
    public readonly record struct Shape(long[] LongestRun, long[] RankedRuns, int RankPrefix);

    /// <summary>Per order: records' byte offset and ranks' byte offset (0 for unigrams, whose ranking follows the last order's),
    /// then the offset of the unigram ranking and the file length (trailer included).</summary>
    public static (long[] Records, long[] Ranks, long UnigramRanking, long Length) Layout(long[] counts, Shape shape, int vocabulary)
    {
        int n = counts.Length;
        var records = new long[n];
        var ranks = new long[n];
        long offset = HeaderBytes;
        records[0] = offset;
        offset += (vocabulary + 1L) * Marshal.SizeOf<TrieUnigram>();
        offset = (offset + 7) & ~7L;
        for (int k = 2; k <= n; k++)
        {
            records[k - 1] = offset;
            offset += SectionBytes((counts[k - 1] + (k < n ? 1 : 0)) * RecordBits(k, counts, vocabulary));
        }
        for (int k = 2; k <= n; k++)
        {
            ranks[k - 1] = offset;
            offset += SectionBytes(shape.RankedRuns[k - 1] * RankedRunBits(k, counts, shape.LongestRun, shape.RankPrefix));
        }
        long unigramRanking = offset;
        offset += SectionBytes(shape.RankedRuns[0] * BitsFor(vocabulary));
        return (records, ranks, unigramRanking, offset + 8);
    }

    public static byte[] Header(long[] counts, Shape shape, int vocabulary, ulong sourceChecksum)
    {
        var (records, ranks, _, _) = Layout(counts, shape, vocabulary);
        var header = new byte[HeaderBytes];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), Version);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), counts.Length);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(16), vocabulary);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(20), shape.RankPrefix);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(24), sourceChecksum);
        for (int k = 0; k < counts.Length; k++)
        {
            var at = header.AsSpan(32 + PerOrderBytes * k);
            BinaryPrimitives.WriteInt64LittleEndian(at, counts[k]);
            BinaryPrimitives.WriteInt64LittleEndian(at[8..], shape.LongestRun[k]);
            BinaryPrimitives.WriteInt64LittleEndian(at[16..], shape.RankedRuns[k]);
            BinaryPrimitives.WriteInt64LittleEndian(at[24..], records[k]);
            BinaryPrimitives.WriteInt64LittleEndian(at[32..], ranks[k]);
        }
        return header;
    }

    /// <summary>The shape recorded in a header (what the layout needs besides the manifest's counts); the caller checks it
    /// by writing the header again and comparing.</summary>
    public static Shape ReadShape(ReadOnlySpan<byte> header, int order)
    {
        var (longest, ranked) = (new long[order], new long[order]);
        for (int k = 0; k < order; k++)
        {
            longest[k] = BinaryPrimitives.ReadInt64LittleEndian(header[(40 + PerOrderBytes * k)..]);
            ranked[k] = BinaryPrimitives.ReadInt64LittleEndian(header[(48 + PerOrderBytes * k)..]);
        }
        return new Shape(longest, ranked, BinaryPrimitives.ReadInt32LittleEndian(header[20..]));
    }
}

/// <summary>A unigram of the trie: log10 p (NaN for an id with no unigram), log10 backoff, index of its first bigram.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
public readonly record struct TrieUnigram(float Prob, float Backoff, uint Next);

/// <summary>Fields appended to an output a few bits at a time, least significant bit first (the order
/// <see cref="MappedFile.Bits"/> reads them back in).</summary>
internal sealed class BitWriter(HashedOutput output)
{
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _used;
    private ulong _pending;
    private int _pendingBits;
    public long BitsWritten { get; private set; }

    /// <summary>Appends the low <paramref name="width"/> bits (at most 32) of <paramref name="value"/>.</summary>
    public void Write(ulong value, int width)
    {
        _pending |= (value & ((1UL << width) - 1)) << _pendingBits; // fewer than 32 pending: at most 63 bits
        _pendingBits += width;
        BitsWritten += width;
        if (_pendingBits < 32) return;
        if (_used + 4 > _buffer.Length) { output.Append(_buffer.AsSpan(0, _used)); _used = 0; }
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_used), (uint)_pending);
        _used += 4;
        _pending >>= 32;
        _pendingBits -= 32;
    }

    public void Float(float value) => Write(BitConverter.SingleToUInt32Bits(value), 32);

    /// <summary>A log10 p without its sign bit (<see cref="TrieFormat.ProbBits"/>); the caller has checked it is not positive.</summary>
    public void Prob(float value) => Write(BitConverter.SingleToUInt32Bits(value) & 0x7FFF_FFFF, TrieFormat.ProbBits);

    /// <summary>Ends the section: zeros to a multiple of 8 bytes, then 8 spare (see <see cref="TrieFormat.SectionBytes"/>).</summary>
    public void EndSection()
    {
        long target = TrieFormat.SectionBytes(BitsWritten);
        long written = (BitsWritten - _pendingBits) / 8;
        for (; _pendingBits > 0; _pendingBits -= 8, _pending >>= 8, written++) Byte((byte)_pending);
        for (; written < target; written++) Byte(0);
        output.Append(_buffer.AsSpan(0, _used));
        (_used, _pending, _pendingBits, BitsWritten) = (0, 0, 0, 0);
    }

    private void Byte(byte value)
    {
        if (_used == _buffer.Length) { output.Append(_buffer); _used = 0; }
        _buffer[_used++] = value;
    }
}
