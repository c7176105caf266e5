using System.Numerics;

namespace LmCompare.Counting.Pairs;

/// <summary>
/// Which top list of the tables is a row's own: a bit per row (set for a row of more than K successors, the rows that
/// have one) and the set bits before each 64-row word, so a row's slot is one popcount (rank on a bitmap). 1.5 bits a
/// row where an int per row took 12 MB on debian-docs (3.1M rows).
/// </summary>
internal sealed class TopListSlots
{
    private readonly ulong[] _listed;
    private readonly int[] _before;

    public TopListSlots(RowColumn rowStart, int topK)
    {
        long rows = rowStart.Length - 1;
        _listed = new ulong[(rows + 63) / 64];
        _before = new int[_listed.Length];
        int count = 0;
        for (long r = 0; r < rows; r++)
        {
            if ((r & 63) == 0) _before[r >> 6] = count;
            if (rowStart[r + 1] - rowStart[r] <= topK) continue;
            _listed[r >> 6] |= 1UL << (int)(r & 63);
            count++;
        }
        Count = count;
    }

    /// <summary>Rows with a top list of their own.</summary>
    public long Count { get; }

    /// <summary>The row's slot among the top lists (rows of more than K successors in row order), or -1 when it has none.</summary>
    public int SlotOf(long row)
    {
        ulong word = _listed[row >> 6], bit = 1UL << (int)(row & 63);
        return (word & bit) == 0 ? -1 : _before[row >> 6] + BitOperations.PopCount(word & (bit - 1));
    }
}
