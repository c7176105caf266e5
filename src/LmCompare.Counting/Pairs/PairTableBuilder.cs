using LmCompare.Core;
using LmCompare.Counting.NGrams.Streaming;

namespace LmCompare.Counting.Pairs;

/// <summary>
/// Stage "derive": from the counts sorted by key (<see cref="PairCountRecords"/>: rows (u, d) come out contiguous,
/// successors ascending), derives in one pass the row totals, the count-of-counts n1/n2 per distance, the top-K
/// successors (step 3) and the continuation counts, and hands the entries row by row to memory or to the tables file.
/// Memory is the row index (16 bytes a row) and one row, whatever the number of pairs.
/// </summary>
public static class PairTableBuilder
{
    /// <summary>The tables in memory (models built and thrown away in one process, and counts read from a cluster).</summary>
    public static PairTables Derive(IRecordSource counts, int vocabularySize, PairModelSettings settings)
    {
        var sink = new MemoryTableSink(settings.TopK);
        var index = Run(counts, vocabularySize, settings, sink, null);
        return index.WithEntries(sink.Entries());
    }

    public static PairTables Derive(long[] keys, long[] counts, int vocabularySize, PairModelSettings settings) =>
        Derive(PairCountRecords.FromArrays(keys, counts), vocabularySize, settings);

    /// <summary>The tables streamed into the file <paramref name="path"/> (temporary name, then renamed); returns its
    /// XxHash64 and the row index (its entries are not held: open the file to score).</summary>
    public static (ulong Hash, PairTables Index) Write(IRecordSource counts, int vocabularySize, PairModelSettings settings, string path,
        IProgress<ProgressReport>? progress)
    {
        using var writer = new PairTableWriter(path);
        var index = Run(counts, vocabularySize, settings, writer, progress);
        return (writer.Finish(index), index);
    }

    private static PairTables Run(IRecordSource counts, int vocabularySize, PairModelSettings settings, IPairTableSink sink,
        IProgress<ProgressReport>? progress)
    {
        int n = settings.Distances, topK = settings.TopK;
        long rows = (long)vocabularySize * n;
        PairTables.CheckVocabularySize(rows);
        var rowStart = new long[rows + 1];
        var rowTotal = new long[rows];
        var continuation = new int[vocabularySize];
        var singletons = new long[n];
        var doubletons = new long[n];
        var row = new RowBuffer(topK);
        long currentRow = -1, entries = 0;
        while (counts.MoveNext())
        {
            var record = counts.Current;
            long key = PairCountRecords.Key(record);
            int count = record[PairCountRecords.CountInt];
            int d = PairKey.D(key), v = PairKey.V(key);
            long r = PairKey.Row(key, n);
            if (PairKey.U(key) >= vocabularySize || v >= vocabularySize || d > n || count <= 0)
                throw new InputException($"the counts hold a pair outside the vocabulary or the distances (key {key}): they belong to another build");
            if (r != currentRow)
            {
                if (currentRow >= 0) row.Flush(currentRow, sink);
                if (r < currentRow) throw new InvalidOperationException("pair counts out of order");
                currentRow = r;
            }
            row.Add(v, count);
            rowStart[r + 1]++;
            rowTotal[r] += count;
            if (count == 1) singletons[d - 1]++;
            else if (count == 2) doubletons[d - 1]++;
            if (d == 1) continuation[v]++;
            if ((++entries & 0xFFFFFF) == 0) progress?.Report(new ProgressReport("derive: tables", entries, null, "pairs"));
        }
        if (currentRow >= 0) row.Flush(currentRow, sink);
        for (long r = 0; r < rows; r++) rowStart[r + 1] += rowStart[r];
        return new PairTables
        {
            VocabularySize = vocabularySize, Distances = n, TopK = topK, RowStart = rowStart, RowTotal = rowTotal, Continuation = continuation,
            Singletons = singletons, Doubletons = doubletons, Entries = new ArrayPairEntries([], [], topK),
        };
    }

    /// <summary>One row's entries while it is read, and for a row of more than K its top-K list: count descending, ties by
    /// the smaller id (so the lists are reproducible), chosen with a K-element min-heap of (count, -id) keys.</summary>
    private sealed class RowBuffer(int topK)
    {
        private int[] _entries = new int[1024];
        private int _used;
        private readonly long[] _heap = new long[topK];
        private readonly int[] _top = new int[topK * PairEntries.Stride];

        public void Add(int v, int count)
        {
            if (_used + PairEntries.Stride > _entries.Length) Array.Resize(ref _entries, _entries.Length * 2);
            _entries[_used++] = v;
            _entries[_used++] = count;
        }

        public void Flush(long row, IPairTableSink sink)
        {
            var entries = _entries.AsSpan(0, _used);
            _used = 0;
            if (entries.Length <= _heap.Length * PairEntries.Stride)
            {
                sink.AppendRow(row, entries, []); // all its successors fit a list: the row is its own
                return;
            }
            int size = 0;
            for (int i = 0; i < entries.Length; i += PairEntries.Stride)
            {
                long rank = ((long)entries[i + 1] << 32) | (uint)(int.MaxValue - entries[i]); // larger is better
                if (size < _heap.Length) { _heap[size++] = rank; SiftUp(size - 1); }
                else if (rank > _heap[0]) { _heap[0] = rank; SiftDown(size); }
            }
            Array.Sort(_heap);
            for (int i = 0; i < size; i++)
            {
                long rank = _heap[size - 1 - i];
                (_top[i * PairEntries.Stride], _top[i * PairEntries.Stride + 1]) = (int.MaxValue - (int)(uint)rank, (int)(rank >> 32));
            }
            sink.AppendRow(row, entries, _top);
        }

    private void SiftUp(int i)
        {
            while (i > 0 && _heap[i] < _heap[(i - 1) / 2]) { (_heap[i], _heap[(i - 1) / 2]) = (_heap[(i - 1) / 2], _heap[i]); i = (i - 1) / 2; }
        }

        private void SiftDown(int size)
        {
            int i = 0;
            while (true)
            {
                int l = 2 * i + 1, r = l + 1, m = i;
                if (l < size && _heap[l] < _heap[m]) m = l;
                if (r < size && _heap[r] < _heap[m]) m = r;
                if (m == i) return;
                (_heap[i], _heap[m]) = (_heap[m], _heap[i]);
                i = m;
            }
        }
    }
}

/// <summary>Where the derive stage puts each row's entries and top list (rows strictly increasing; rows it skips are empty;
/// <c>top</c> is empty for a row of at most K successors).</summary>
internal interface IPairTableSink
{
    void AppendRow(long row, ReadOnlySpan<int> entries, ReadOnlySpan<int> top);
}

/// <summary>Rows into growing arrays.</summary>
internal sealed class MemoryTableSink(int topK) : IPairTableSink
{
    private int[] _entries = new int[1 << 16], _top = new int[1 << 10];
    private long _used, _topUsed;

    public void AppendRow(long row, ReadOnlySpan<int> entries, ReadOnlySpan<int> top)
    {
        Append(ref _entries, ref _used, entries);
        Append(ref _top, ref _topUsed, top);
    }

    private static void Append(ref int[] array, ref long used, ReadOnlySpan<int> values)
    {
        if (used + values.Length > array.Length)
        {
            long size = Math.Max(used + values.Length, Math.Min(2L * array.Length, Array.MaxLength));
            if (size > Array.MaxLength)
                throw new InputException("more pairs than in-memory tables hold (2^30); build the model with lmc pairs build");
            Array.Resize(ref array, (int)size);
        }
        values.CopyTo(array.AsSpan((int)used));
        used += values.Length;
    }

    public ArrayPairEntries Entries() => new(_entries[..(int)_used], _top[..(int)_topUsed], topK);
}
