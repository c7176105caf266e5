using System.Buffers;

namespace LmCompare.Counting.Pairs;

/// <summary>
/// The successors and counts of the pair tables, row by row: entries (v, c_d(u, v)) as interleaved int pairs, each row's
/// successors ascending, and for each row of more than K successors its top-K list (<see cref="TopAt"/>: slot s is the
/// s-th such row, <see cref="PairTables.TopSlot(long)"/>). Rows are addressed by index r = u * N + d - 1 and by where their
/// entries start (<see cref="PairTables.RowStart"/>). Two forms: all in arrays (<see cref="ArrayPairEntries"/>: models
/// derived in memory, and files small enough for the cache) and read from the tables file where the model is larger
/// than the cache (<see cref="FilePairEntries"/>). Lookups may run on several threads at once.
/// </summary>
public abstract class PairEntries : IDisposable
{
    /// <summary>Ints of one entry: successor v, then its count.</summary>
    public const int Stride = 2;

    /// <summary>c_d(u, v) of the row (its entries [start, start + length)), or 0 when v never followed.</summary>
    public abstract int CountOf(long row, long start, int length, int v);

    /// <summary>The row's entries, interleaved (v, count); dispose the result when done with it.</summary>
    public abstract PairRow Row(long row, long start, int length);

    /// <summary>The top-K list of the <paramref name="slot"/>-th row that has more than K successors: K entries (v, count)
    /// interleaved, most frequent first (ties by the smaller id); dispose the result when done with it.</summary>
    public abstract PairRow TopAt(long slot);

    /// <summary>A hint that the row's entries and its top list (<paramref name="topSlot"/>, -1 for a row that is its own)
    /// will be read soon: where a lookup costs a cache miss, several rows' misses then overlap. No-op by default.</summary>
    public virtual void Prefetch(long start, int length, int topSlot) { }

    /// <summary>Throws when the entries turned out damaged (a check that may run beside the scoring): call before reporting.</summary>
    public virtual void EnsureIntact() { }

    public virtual void Dispose() => GC.SuppressFinalize(this);

    /// <summary>The count of <paramref name="v"/> by binary search in interleaved entries, 0 when absent.</summary>
    public static int Search(ReadOnlySpan<int> entries, int v)
    {
        int lo = 0, hi = entries.Length / Stride - 1;
        while (lo <= hi)
        {
            int mid = lo + ((hi - lo) >> 1);
            int at = entries[mid * Stride];
            if (at == v) return entries[mid * Stride + 1];
            if (at < v) lo = mid + 1; else hi = mid - 1;
        }
        return 0;
    }
}

/// <summary>A row's entries (v, count interleaved), borrowed from the tables or from a pooled buffer returned on dispose.</summary>
public readonly ref struct PairRow
{
    private readonly int[]? _pooled;

    public PairRow(ReadOnlySpan<int> entries, int[]? pooled = null)
    {
        Entries = entries;
        _pooled = pooled;
    }

    public ReadOnlySpan<int> Entries { get; }

    public void Dispose()
    {
        if (_pooled is not null) ArrayPool<int>.Shared.Return(_pooled);
    }
}

/// <summary>Every entry and top list in memory.</summary>
public sealed class ArrayPairEntries(int[] entries, int[] top, int topK) : PairEntries
{
    /// <summary>Interleaved (v, count) of every row in row order.</summary>
    public int[] Entries { get; } = entries;

    /// <summary>K interleaved entries (v, count) per row of more than K successors, in row order.</summary>
    public int[] Top { get; } = top;

    public override int CountOf(long row, long start, int length, int v) =>
        Search(Entries.AsSpan((int)(start * Stride), length * Stride), v);

    public override PairRow Row(long row, long start, int length) => new(Entries.AsSpan((int)(start * Stride), length * Stride));

    public override PairRow TopAt(long slot) => new(Top.AsSpan((int)(slot * topK * Stride), topK * Stride));
}
