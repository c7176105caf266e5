using System.Runtime.InteropServices;
using LmCompare.Counting.NGrams.Streaming;
using StagedItem = LmCompare.Counting.NGrams.Mapped.TrieOrderSorter.StagedItem;

namespace LmCompare.Counting.NGrams.Mapped;

/// <summary>
/// One order (2 and up) of <c>ngrams.trie</c> put in trie order by distribution, for models whose index maps do not fit
/// the budget (<see cref="TrieOrderSorter"/> over the model file holds two orders' maps, 12 bytes per n-gram: 1.7 GB
/// for the 200M-token synthetic corpus's 4- and 5-grams). Two passes over the data whatever its size, no merge:
/// <list type="number">
/// <item>distribute: each record's context index is mapped to its trie index (the order below's
/// <see cref="TrieIndexSlices"/>, a slice at a time: one read of the order per slice up to four of them, with more the
/// records first distributed by slice) and the record written to the bucket of its context's trie index (equal ranges
/// of contexts);</item>
/// <item>sort each group of consecutive buckets that fits a band: its run lengths counted, then
/// <see cref="TrieOrderSorter"/>'s counting sort with the group's files as its records.</item>
/// </list>
/// A context's records all land in one bucket in the model file's order (by word), as the sorter needs, so the bytes
/// are <see cref="TrieOrderSorter"/>'s. Memory: a slice of the order below's map (half the budget), a band (3/8), a
/// group's run lengths (1/16), the buckets' write buffers. Every temporary file is under <paramref name="prefix"/> in
/// <paramref name="directory"/> and deleted once read.
/// </summary>
internal sealed class TrieOrderBuckets(string directory, string prefix, long memoryBytes, int rankPrefix, long[] counts)
{
    private const int BytesPerRecord = 40, Stride = 5, MaxBuckets = 1024; // a band's record; bucket record: context, word, p, b, source
    private const int MaxSlicePasses = 4, Block = 1 << 14, BucketBufferInts = 1 << 13;
    private readonly TrieOrderSorter.Band _band = new();
    private readonly int[] _trieIndexes = new int[Block];
    private int[]? _map; // a slice of the order below's map, the same array for every order (so no order leaves one behind)

    // Half the budget for a slice of the order below's map, 3/8 for a band, 1/16 for a group's run lengths, the rest for
    // the buckets' buffers (32 KB each). The floors are for tests, whose budget of nothing makes every step its smallest.
    private long Capacity => Math.Max(64, memoryBytes * 3 / 8 / BytesPerRecord); // records of a group
    private long RunsWidth => Math.Max(1 << 10, memoryBytes / 64); // contexts of a group
    private long SliceInts => Math.Max(1 << 8, memoryBytes / 8);

    /// <summary>An order's trie index file, its slices loadable in half the budget.</summary>
    public TrieIndexSlices Index(int order, long count) => new(Path.Combine(directory, $"{prefix}.index{order}"), count, SliceInts);

    /// <summary>Writes the trie-order and rank files of <paramref name="records"/>, whose contexts' trie indexes are in
    /// <paramref name="below"/>; the successors of each of the <paramref name="contexts"/> contexts (by trie index) to
    /// <paramref name="runsPath"/> and, unless null, each record's trie index to <paramref name="own"/> (completed).
    /// Returns the longest run and the runs longer than the rank prefix.</summary>
    public (long Longest, long Ranked) Sort(OrderRecords records, TrieIndexSlices below, long contexts, string orderPath, string ranksPath,
        string runsPath, TrieIndexSlices? own)
    {
        // enough buckets that a group averages a quarter of the capacity, and a group's run lengths stay small
        long buckets = Math.Max((4 * records.Length + Capacity - 1) / Capacity, (contexts + RunsWidth - 1) / RunsWidth);
        int shift = 0;
        while ((contexts - 1) >> shift >= Math.Clamp(buckets, 1, MaxBuckets)) shift++;
        using var files = new RecordBuckets(Path.Combine(directory, prefix + ".bucket"), (int)(Math.Max(0, contexts - 1) >> shift) + 1, Stride,
            BucketBufferInts);
        Distribute(records, below, files, shift);
        files.Close();
        using var order = new FileStream(orderPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        using var ranks = new FileStream(ranksPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        using var runsOut = new RecordWriter(runsPath, 1);
        long trieStart = 0, longest = 0, ranked = 0;
        if (counts.Length > 1) // the band every order shares, allocated once at the largest size
            _band.Reserve(Math.Min(Capacity, counts[1..].Max()), (int)Math.Min(RunsWidth, Math.Max(counts[0], counts[..^1].Max())));
        for (int g = 0; g < files.Count;)
        {
            int h = g + 1;
            long size = files.Records(g);
            while (h < files.Count && size + files.Records(h) <= Capacity && (long)(h + 1 - g) << shift <= RunsWidth) size += files.Records(h++);
            long first = (long)g << shift;
            var scan = new BucketScan(files, g, h, first, (int)(Math.Min(contexts, (long)h << shift) - first));
            var runs = scan.CountRuns();
            foreach (int r in runs)
            {
                runsOut.Next()[0] = r;
                (longest, ranked) = (Math.Max(longest, r), ranked + (r > rankPrefix ? 1 : 0));
            }
            new TrieOrderSorter(runs, _band, rankPrefix, scan).Sort(order, ranks, Capacity * BytesPerRecord,
                trieStart, own is null ? null : own.Add);
            for (int b = g; b < h; b++) files.Delete(b);
            (trieStart, g) = (trieStart + size, h);
        }
        own?.Complete();
        return (Math.Max(1, longest), ranked);
    }

    /// <summary>
    /// Pass 1: every record, its context's trie index in place of its context index, into its bucket. The order below's
    /// map is read a slice at a time: with a few slices, one pass over the order's records per slice, each taking the
    /// records whose context is in it (a read of the model file, cheaper than writing the records and reading them
    /// again); with more, the records are first distributed by slice.
    /// </summary>
    private void Distribute(OrderRecords records, TrieIndexSlices below, RecordBuckets files, int shift)
    {
        int sliceShift = System.Numerics.BitOperations.Log2((uint)below.SliceWidth);
        if (below.SliceCount <= MaxSlicePasses)
        {
            for (int s = 0; s < below.SliceCount; s++)
            {
                var map = LoadMap(below, s);
                ForEachBlock(records, block => Place(files, shift, map, (long)s << sliceShift, below.Count, block));
            }
            return;
        }
        using var bySlice = new RecordBuckets(Path.Combine(directory, prefix + ".by-slice"), below.SliceCount, Stride, BucketBufferInts);
        ForEachBlock(records, block =>
        {
            foreach (ref readonly var item in block)
            {
                if ((ulong)item.Context >= (ulong)below.Count) throw ContextOutside(item.Context);
                MemoryMarshal.Cast<StagedItem, int>(new ReadOnlySpan<StagedItem>(in item)).CopyTo(bySlice.Next(item.Context >> sliceShift));
            }
        });
        bySlice.Close();
        var ints = new int[Stride * Block];
        for (int s = 0; s < bySlice.Count; s++)
        {
            var map = LoadMap(below, s);
            foreach (int read in bySlice.Blocks(s, ints))
                Place(files, shift, map, (long)s << sliceShift, below.Count, MemoryMarshal.Cast<int, StagedItem>(ints.AsSpan(0, read)));
            bySlice.Delete(s);
        }
    }

    /// <summary>Slice <paramref name="slice"/> of the order below's map, in the array every order shares (allocated once,
    /// as wide as the widest slice of any order's map).</summary>
    private int[] LoadMap(TrieIndexSlices below, int slice)
    {
        _map ??= new int[Math.Min(SliceInts, Math.Max(1, counts.Length < 2 ? 1 : counts[..^1].Max()))];
        return below.Load(slice, _map);
    }

    /// <summary>The records of <paramref name="items"/> whose context index is in the map's slice (from
    /// <paramref name="firstIndex"/>) into their buckets. The map's reads come first, in a loop of their own, so their
    /// cache misses overlap (a read per record into a map of hundreds of MB).</summary>
    private void Place(RecordBuckets files, int shift, int[] map, long firstIndex, long belowCount, ReadOnlySpan<StagedItem> items)
    {
        var trie = _trieIndexes.AsSpan(0, items.Length);
        long width = Math.Min(map.Length, belowCount - firstIndex);
        for (int i = 0; i < items.Length; i++)
        {
            long at = items[i].Context - firstIndex;
            trie[i] = (ulong)at < (ulong)width ? map[at] : -1;
        }
        for (int i = 0; i < items.Length; i++)
        {
            if (trie[i] < 0)
            {
                if ((ulong)items[i].Context >= (ulong)belowCount) throw ContextOutside(items[i].Context);
                continue; // another slice's
            }
            var slot = MemoryMarshal.Cast<int, StagedItem>(files.Next(trie[i] >> shift));
            slot[0] = items[i] with { Context = trie[i] };
        }
    }

    private static InvalidDataException ContextOutside(int context) =>
        new($"an n-gram's context index {context} is outside the order below");

    /// <summary>The order's records a block at a time, as staged items (context index, word, log10 p, log10 backoff,
    /// index in <c>ngrams.bin</c>).</summary>
    private static void ForEachBlock(OrderRecords records, Action<ReadOnlySpan<StagedItem>> onBlock)
    {
        var block = new NGramRecord[Block];
        var items = new StagedItem[Block];
        foreach (var (first, length) in records.Blocks(block))
        {
            var span = block.AsSpan(0, length);
            for (int r = 0; r < span.Length; r++)
                items[r] = new StagedItem(span[r].Context, span[r].Word, span[r].Prob, span[r].Backoff, (int)(first + r));
            onBlock(items.AsSpan(0, span.Length));
        }
    }

    /// <summary>Buckets [from, to), whose contexts are the <paramref name="width"/> from <paramref name="first"/>, as the
    /// sorter's records, each context as an offset from <c>first</c>.</summary>
    private sealed class BucketScan(RecordBuckets files, int from, int to, long first, int width) : TrieOrderSorter.IStager
    {
        /// <summary>The successors of each context.</summary>
        public int[] CountRuns()
        {
            var runs = new int[width];
            ForEach(block => { foreach (ref readonly var item in block) runs[item.Context]++; });
            return runs;
        }

        public void Stage(int bandFrom, int bandTo, int shift, int[] bucketFill, StagedItem[] staged) => ForEach(block =>
        {
            foreach (ref readonly var item in block)
            {
                int context = item.Context - bandFrom;
                if ((uint)context >= (uint)(bandTo - bandFrom)) continue;
                staged[bucketFill[context >> shift]++] = item with { Context = context };
            }
        });

        /// <summary>Every record in bucket order, its context made an offset from <c>first</c> (checked).</summary>
        private void ForEach(Action<ReadOnlySpan<StagedItem>> onBlock)
        {
            var ints = new int[Stride << 14];
            for (int b = from; b < to; b++)
                foreach (int read in files.Blocks(b, ints))
                {
                    var block = MemoryMarshal.Cast<int, StagedItem>(ints.AsSpan(0, read));
                    for (int i = 0; i < block.Length; i++)
                    {
                        long context = block[i].Context - first;
                        if ((ulong)context >= (ulong)width)
                            throw new InvalidDataException($"a bucket holds context {block[i].Context}, outside its range");
                        block[i] = block[i] with { Context = (int)context };
                    }
                    onBlock(block);
                }
        }
    }
}
