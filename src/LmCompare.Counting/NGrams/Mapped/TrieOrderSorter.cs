using System.Buffers.Binary;

namespace LmCompare.Counting.NGrams.Mapped;

/// <summary>
/// One order (2 and up) of <c>ngrams.trie</c> put in trie order: its records sorted by (context's trie index, word), a
/// band of contexts at a time, each band as large as <c>bandBytes</c> allows (the run lengths say exactly how many
/// records a band of contexts holds; 40 bytes per record: staged, in trie order, its source and rank offset), one pass
/// over the records per band. The pass is the sort: <c>ngrams.bin</c> holds the order by word first, so placing each
/// record at the next free place of its context's run (a counting sort by context, stable) leaves every run in word
/// order. Writes (word, log10 p, log10 backoff) in trie order, and for each run longer than the rank prefix P its first
/// index and the offsets within the run of its P most probable records (ties in trie order) for the rank section.
/// Where the records come from is the <see cref="IStager"/>'s: the model file's order with the order below's index map
/// (<see cref="Sort(OrderRecords, int[], int[], Band, int, string, string, long, bool)"/>), or the bucket files of
/// <see cref="TrieOrderBuckets"/> (records in the same relative order, so the same bytes).
/// </summary>
internal sealed class TrieOrderSorter(int[] runs, TrieOrderSorter.Band band, int rankPrefix, TrieOrderSorter.IStager stager)
{
    private const int BytesPerRecord = 40, BucketRecords = 1 << 13;

    /// <summary>Puts a band's records (contexts [from, to) of the runs, as offsets from <c>from</c>) into
    /// <c>staged</c> by bucket (<c>context &gt;&gt; shift</c>, <c>bucketFill</c> the next place of each), each context's
    /// records in word order.</summary>
    public interface IStager
    {
        void Stage(int from, int to, int shift, int[] bucketFill, StagedItem[] staged);
    }

    /// <summary>Writes the order's trie-order and rank files from the model file (<paramref name="below"/>: each context's
    /// trie index by its index in <c>ngrams.bin</c>); returns each record's trie index by its index in <c>ngrams.bin</c>
    /// (when <paramref name="keepIndex"/>: the order above needs it for its contexts).</summary>
    public static int[] Sort(OrderRecords records, int[] below, int[] runs, Band band, int rankPrefix, string orderPath, string ranksPath,
        long bandBytes, bool keepIndex)
    {
        var index = keepIndex ? new int[records.Length] : [];
        using var order = new FileStream(orderPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        using var ranks = new FileStream(ranksPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        new TrieOrderSorter(runs, band, rankPrefix, new RecordScan(records, below)).Sort(order, ranks, bandBytes, 0,
            keepIndex ? (sources, first) => { for (int i = 0; i < sources.Length; i++) index[sources[i]] = (int)(first + i); } : null);
        return index;
    }

    /// <summary>Appends the runs' records in trie order to <paramref name="order"/> and their rank records to
    /// <paramref name="ranks"/>, the first at trie index <paramref name="trieStart"/>; <paramref name="onIndex"/>, unless
    /// null, is given each band's sources (indexes in <c>ngrams.bin</c>) in trie order with the trie index of the first.</summary>
    public void Sort(Stream order, Stream ranks, long bandBytes, long trieStart, IndexSink? onIndex)
    {
        long perBand = Math.Max(1, bandBytes / BytesPerRecord);
        for (int a = 0; a < runs.Length;)
        {
            long size = runs[a];
            int b = a + 1;
            while (b < runs.Length && size + runs[b] <= perBand) size += runs[b++];
            band.Reserve(size, b - a);
            Collect(a, b, band);
            Emit(band, a, trieStart, order, ranks);
            onIndex?.Invoke(band.Sources.AsSpan(0, band.Count), trieStart);
            trieStart += size;
            a = b;
        }
    }

    /// <summary>A band's sources in trie order and the trie index of the first.</summary>
    public delegate void IndexSink(ReadOnlySpan<int> sources, long trieStart);

    /// <summary>
    /// The records whose context's trie index is in [<paramref name="from"/>, <paramref name="to"/>), each at the next
    /// free place of its context's run, in two stable scatters: into buckets of about <see cref="BucketRecords"/>
    /// records by context (a few hundred write streams), then each bucket into its contexts' runs, a region that stays in
    /// the cache. One scatter straight into the runs took a cache miss per record.
    /// </summary>
    private void Collect(int from, int to, Band band)
    {
        var fill = band.Fill;
        int at = 0;
        for (int c = from; c < to; c++) (fill[c - from], at) = (at, at + runs[c]);
        band.Count = at;
        int shift = 0;
        while (((long)(to - from) >> shift) * BucketRecords > Math.Max(at, 1) && (to - from) >> shift > 1) shift++;
        int buckets = ((to - from - 1) >> shift) + 1;
        var bucketFill = new int[buckets];
        for (int k = 0; k < buckets; k++) bucketFill[k] = fill[k << shift];
        stager.Stage(from, to, shift, bucketFill, band.Staged);
        for (int j = 0; j < at; j++)
        {
            ref readonly var item = ref band.Staged[j];
            int place = fill[item.Context]++;
            band.Entries[place] = new TrieOrderEntry(item.Word, item.Prob, item.Backoff);
            band.Sources[place] = item.Source;
        }
    }

    /// <summary>The model file's order, each record's context mapped to its trie index by the order below's map.</summary>
    private sealed class RecordScan(OrderRecords records, int[] below) : IStager
    {
        public void Stage(int from, int to, int shift, int[] bucketFill, StagedItem[] staged)
        {
            var block = new NGramRecord[1 << 14];
            foreach (var (first, length) in records.Blocks(block))
            {
                var span = block.AsSpan(0, length);
                for (int r = 0; r < span.Length; r++)
                {
                    int context = below[span[r].Context] - from;
                    if ((uint)context >= (uint)(to - from)) continue;
                    staged[bucketFill[context >> shift]++] = new StagedItem(context, span[r].Word, span[r].Prob, span[r].Backoff, (int)(first + r));
                }
            }
        }
    }

    private void Emit(Band band, int from, long trieStart, Stream order, Stream ranks)
    {
        var entries = band.Entries;
        var offsets = band.Offsets; // 1 + P per ranked run, fewer than the run's records
        var run = new ulong[16];
        int ranked = 0;
        for (int c = from, j = 0; j < band.Count; c++)
        {
            int end = j + runs[c];
            if (end - j > rankPrefix)
            {
                if (end - j > run.Length) run = new ulong[Math.Max(end - j, 2 * run.Length)];
                for (int i = j; i < end; i++) run[i - j] = ((ulong)(uint.MaxValue - Orderable(entries[i].Prob)) << 32) | (uint)(i - j);
                run.AsSpan(0, end - j).Sort();
                offsets[ranked++] = (uint)(trieStart + j);
                for (int r = 0; r < rankPrefix; r++) offsets[ranked++] = (uint)run[r];
            }
            j = end;
        }
        order.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(entries.AsSpan(0, band.Count)));
        ranks.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(offsets.AsSpan(0, ranked)));
    }

    /// <summary>A float's bits mapped so unsigned order is numeric order (NaN aside).</summary>
    public static uint Orderable(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        return (bits & 0x8000_0000) != 0 ? ~bits : bits | 0x8000_0000;
    }

    /// <summary>A record on its way to trie order: context offset in the band, word, log10 p, log10 backoff, index in
    /// <c>ngrams.bin</c>.</summary>
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Pack = 4)]
    internal readonly record struct StagedItem(int Context, int Word, float Prob, float Backoff, int Source);

    /// <summary>One band's records by bucket, the next free place of each of its contexts' runs, and the band in trie
    /// order on its way to the files (entries, their indexes in <c>ngrams.bin</c>, rank offsets); one for every order of
    /// a file, so the orders reuse its arrays.</summary>
    internal sealed class Band
    {
        public StagedItem[] Staged = [];
        public TrieOrderEntry[] Entries = [];
        public int[] Sources = [];
        public uint[] Offsets = [];
        public int[] Fill = [];
        public int Count;

        public void Reserve(long capacity, int contexts)
        {
            if (Staged.Length < capacity)
            {
                (Staged, Entries, Sources, Offsets) = ([], [], [], []); // the old arrays can be collected while the new ones are allocated
                (Staged, Entries, Sources, Offsets) = (new StagedItem[capacity], new TrieOrderEntry[capacity], new int[capacity], new uint[capacity]);
            }
            if (Fill.Length < contexts) Fill = new int[contexts];
        }
    }
}

/// <summary>A record of the trie-order temporary file: word, log10 p, log10 backoff (12 bytes, as the machine writes them).</summary>
[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Pack = 4)]
internal readonly record struct TrieOrderEntry(int Word, float Prob, float Backoff);
