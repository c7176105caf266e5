using LmCompare.Core;

namespace LmCompare.Counting.Pairs;

/// <summary>
/// The compiled pair-distance counts the model scores with (<c>pairs.tables</c>, <see cref="PairTableFile"/>), like
/// KenLM's binary format next to its ARPA file. Rows r = u * N + d - 1 in compressed sparse row form: successors v
/// (ascending) with their counts c_d(u, v) and the top-K successors of every row that has more than K (<see cref="Entries"/>,
/// in memory or read from the file; a shorter row is its own list); in memory always the row index: where each row
/// starts, its total c_d(u, .), per word its continuation count N1+(. v) = distinct u with c_1(u, v) &gt; 0, and the
/// count-of-counts per distance.
/// </summary>
public sealed class PairTables : IDisposable
{
    public required int VocabularySize { get; init; }
    public required int Distances { get; init; }
    public required int TopK { get; init; }
    /// <summary>Start of each row in the entries; length rows + 1.</summary>
    public required RowColumn RowStart { get; init; }
    /// <summary>c_d(u, .) per row.</summary>
    public required RowColumn RowTotal { get; init; }
    /// <summary>N1+(. v): distinct words seen directly before v.</summary>
    public required int[] Continuation { get; init; }
    /// <summary>Per distance d (index d-1): pairs seen once and twice, for the discount D_d = n1 / (n1 + 2 n2).</summary>
    public required long[] Singletons { get; init; }
    public required long[] Doubletons { get; init; }
    /// <summary>The successors, counts and top lists.</summary>
    public required PairEntries Entries { get; init; }

    /// <summary>Distinct pairs (u, v, d).</summary>
    public long EntryCount => RowStart.Last;

    public long Rows => RowTotal.Length;

    public long RowOf(int u, int d) => (long)u * Distances + d - 1;

    /// <summary>Where the successors of row <paramref name="row"/> lie in the entries.</summary>
    public (long Start, int Length) Span(long row) => (RowStart[row], (int)(RowStart[row + 1] - RowStart[row]));

    /// <summary>c_d(u, v) by binary search in the row (u, d).</summary>
    public int CountOf(int u, int v, int d)
    {
        long row = RowOf(u, d);
        var (start, length) = Span(row);
        return length == 0 ? 0 : Entries.CountOf(row, start, length, v);
    }

    public int DistinctSuccessors(int u, int d) => Span(RowOf(u, d)).Length;

    /// <summary>Which top list is the row's own (the how-manieth row of more than K successors it is), or -1 for a row
    /// whose successors all fit one (it is its own list). Derived from <see cref="RowStart"/> on first use.</summary>
    public int TopSlot(long row) => Slots.SlotOf(row);

    /// <summary>The rows' top-list slots: given by an open that has built them already, else derived on first use.</summary>
    internal TopListSlots Slots
    {
        get => _slots ??= new TopListSlots(RowStart, TopK);
        init => _slots = value;
    }

    private TopListSlots? _slots;

    /// <summary>Rows of more than K successors: the top lists the tables hold.</summary>
    public long ListedRows => Slots.Count;

    /// <summary>
    /// The row's K most frequent successors with their counts, interleaved (v, count): count descending for a row of more
    /// than K; for a shorter row all its entries, ascending by id (a complete list: an id not in it never followed).
    /// Dispose the result when done with it.
    /// </summary>
    public PairRow TopList(long row, long start, int length) =>
        length > TopK ? Entries.TopAt(TopSlot(row)) : Entries.Row(row, start, length);

    /// <summary>The top-K successors of (u, d), most frequent first (ties by the smaller id).</summary>
    public int[] TopSuccessors(int u, int d)
    {
        long row = RowOf(u, d);
        var (start, length) = Span(row);
        if (length == 0) return [];
        using var list = TopList(row, start, length);
        var e = list.Entries;
        var ids = new int[e.Length / PairEntries.Stride];
        var order = new long[ids.Length]; // count descending, then id ascending: the lists' order
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = e[i * PairEntries.Stride];
            order[i] = ((long)(int.MaxValue - e[i * PairEntries.Stride + 1]) << 32) | (uint)ids[i];
        }
        if (length <= TopK) Array.Sort(order, ids); // a short row is ascending by id
        return ids;
    }

    /// <summary>Calls <paramref name="cell"/>(row, v, count) for every entry, row by row.</summary>
    public void ForEachEntry(Action<long, int, int> cell)
    {
        for (long row = 0; row < Rows; row++)
        {
            var (start, length) = Span(row);
            if (length == 0) continue;
            using var entries = Entries.Row(row, start, length);
            for (int i = 0; i < entries.Entries.Length; i += PairEntries.Stride) cell(row, entries.Entries[i], entries.Entries[i + 1]);
        }
    }

    /// <summary>The XxHash64 of the file these tables (derived in memory) would be written as: the manifest's check of a
    /// model whose counts are elsewhere.</summary>
    public ulong Hash() => Entries is ArrayPairEntries entries
        ? PairTableFile.Hash(this, entries)
        : throw new InvalidOperationException("tables read from a file were checked against their hash when opened");

    /// <summary>Opens a tables file after checking it against <paramref name="expectedHash"/>; entries and top lists are
    /// held in memory when they fit <paramref name="cacheBytes"/>, else the busiest rows are.</summary>
    public static PairTables Open(string path, ulong expectedHash, long cacheBytes) => PairTableFile.Open(path, expectedHash, cacheBytes);

    /// <summary>The same row index over other entries.</summary>
    internal PairTables WithEntries(PairEntries entries) => new()
    {
        VocabularySize = VocabularySize, Distances = Distances, TopK = TopK, RowStart = RowStart, RowTotal = RowTotal,
        Continuation = Continuation, Singletons = Singletons, Doubletons = Doubletons, Entries = entries,
    };

    public void Dispose() => Entries.Dispose();

    internal static void CheckVocabularySize(long rows)
    {
        if (rows + 1 > Array.MaxLength) throw new InputException($"{rows:N0} rows (vocabulary x distances) exceed what one row index holds (2^31)");
    }
}
