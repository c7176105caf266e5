using System.Buffers.Binary;

namespace LmCompare.Counting.NGrams.Mapped;

/// <summary>
/// One order (2 and up) of <c>ngrams.trie</c> put in trie order: its records sorted by (context's trie index, word), a
/// band of contexts at a time, each band as large as <c>bandBytes</c> allows (the run lengths say exactly how many
/// records a band of contexts holds; 36 bytes per record), one pass over the records per band. Writes (word, log10 p,
/// log10 backoff) in trie order, and each run's records by decreasing probability (offsets within the run, ties in trie
/// order) for the rank section.
/// </summary>
internal sealed class TrieOrderSorter(OrderRecords records, int[] below, int[] runs, int vocabulary)
{
    private const int BytesPerRecord = 36, RadixBits = 11;
    private readonly int _wordBits = TrieFormat.BitsFor(vocabulary);

    /// <summary>Writes both files; returns each record's trie index by its index in <c>ngrams.bin</c> (when
    /// <paramref name="keepIndex"/>: the order above needs it for its contexts).</summary>
    public int[] Sort(string orderPath, string ranksPath, long bandBytes, bool keepIndex)
    {
        var index = keepIndex ? new int[records.Length] : [];
        long perBand = Math.Max(1, bandBytes / BytesPerRecord);
        using var order = new FileStream(orderPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        using var ranks = new FileStream(ranksPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        var band = new Band { WordBits = _wordBits };
        long trieStart = 0;
        for (int a = 0; a < runs.Length;)
        {
            long size = runs[a];
            int b = a + 1;
            while (b < runs.Length && size + runs[b] <= perBand) size += runs[b++];
            band.Reserve(size);
            Collect(a, b, band);
            band.Sort(TrieFormat.BitsFor(b - a) + _wordBits);
            Emit(band, trieStart, index, order, ranks);
            trieStart += size;
            a = b;
        }
        return index;
    }

    /// <summary>The records whose context's trie index is in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    private void Collect(int from, int to, Band band)
    {
        band.Count = 0;
        var block = new NGramRecord[1 << 14];
        for (long first = 0; first < records.Length; first += block.Length)
        {
            var span = block.AsSpan(0, (int)Math.Min(block.Length, records.Length - first));
            records.Read(first, span);
            for (int r = 0; r < span.Length; r++)
            {
                int context = below[span[r].Context];
                if (context < from || context >= to) continue;
                int c = band.Count++;
                band.Keys[c] = ((ulong)(context - from) << _wordBits) | (uint)span[r].Word;
                band.Positions[c] = c;
                band.Records[c] = (span[r].Word, span[r].Prob, span[r].Backoff, (int)(first + r));
            }
        }
    }

    private static void Emit(Band band, long trieStart, int[] index, FileStream order, FileStream ranks)
    {
        var bytes = new byte[12 * band.Count];
        var offsets = new byte[4 * band.Count];
        var run = new List<ulong>();
        for (int j = 0; j < band.Count;)
        {
            int end = j + 1;
            ulong context = band.Keys[j] >> band.WordBits;
            while (end < band.Count && band.Keys[end] >> band.WordBits == context) end++;
            run.Clear();
            for (int i = j; i < end; i++)
            {
                var (word, prob, backoff, source) = band.Records[band.Positions[i]];
                BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(12 * i), word);
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(12 * i + 4), prob);
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(12 * i + 8), backoff);
                if (index.Length > 0) index[source] = (int)(trieStart + i);
                run.Add(((ulong)(uint.MaxValue - Orderable(prob)) << 32) | (uint)(i - j));
            }
            run.Sort();
            for (int i = j; i < end; i++) BinaryPrimitives.WriteUInt32LittleEndian(offsets.AsSpan(4 * i), (uint)run[i - j]);
            j = end;
        }
        order.Write(bytes);
        ranks.Write(offsets);
    }

    /// <summary>A float's bits mapped so unsigned order is numeric order (NaN aside).</summary>
    public static uint Orderable(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        return (bits & 0x8000_0000) != 0 ? ~bits : bits | 0x8000_0000;
    }

    /// <summary>One band: sort keys (context offset, word), the positions they carry, and the records by position.</summary>
    private sealed class Band
    {
        public ulong[] Keys = [];
        public int[] Positions = [];
        public (int Word, float Prob, float Backoff, int Source)[] Records = [];
        public int Count;
        public int WordBits;
        private ulong[] _keys = [];
        private int[] _positions = [];

        public void Reserve(long capacity)
        {
            if (Keys.Length >= capacity) return;
            Keys = new ulong[capacity];
            Positions = new int[capacity];
            Records = new (int, float, float, int)[capacity];
            _keys = new ulong[capacity];
            _positions = new int[capacity];
        }

        /// <summary>LSD radix sort of the keys (and their positions) on their low <paramref name="bits"/> bits.</summary>
        public void Sort(int bits)
        {
            Span<int> start = stackalloc int[1 << RadixBits];
            for (int shift = 0; shift < bits; shift += RadixBits)
            {
                start.Clear();
                for (int i = 0; i < Count; i++) start[(int)((Keys[i] >> shift) & ((1 << RadixBits) - 1))]++;
                for (int d = 0, sum = 0; d < start.Length; d++) (start[d], sum) = (sum, sum + start[d]);
                for (int i = 0; i < Count; i++)
                {
                    int at = start[(int)((Keys[i] >> shift) & ((1 << RadixBits) - 1))]++;
                    _keys[at] = Keys[i];
                    _positions[at] = Positions[i];
                }
                (Keys, _keys) = (_keys, Keys);
                (Positions, _positions) = (_positions, Positions);
            }
        }
    }
}
