using System.Numerics;

namespace LmCompare.Counting.Pairs;

/// <summary>
/// Which top list of the tables is a row's own: a bit per row (set for a row of more than K successors, the rows that
/// have one) and the set bits before each 64-row word, so a row's slot is one popcount (rank on a bitmap). 1.5 bits a
/// row where an int per row took 12 MB on debian-docs (3.1M rows). Built in the one pass over the row starts that also
/// says whether they rise (<see cref="Rising"/>: the open of a tables file checks that).
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
        bool rising = true;
        for (long r = 0; r < rows; r++)
        {
            if ((r & 63) == 0) _before[r >> 6] = count;
            long length = rowStart[r + 1] - rowStart[r];
            rising &= length >= 0;
            if (length <= topK) continue;
            _listed[r >> 6] |= 1UL << (int)(r & 63);
            count++;
        }
        (Count, Rising) = (count, rising);
    }

    /// <summary>Whether every row's start is at or after the one before it.</summary>
    public bool Rising { get; }

    /// <summary>Rows with a top list of their own.</summary>
    public long Count { get; }

    /// <summary>The row's slot among the top lists (rows of more than K successors in row order), or -1 when it has none.</summary>
    public int SlotOf(long row)
    {
        ulong word = _listed[row >> 6], bit = 1UL << (int)(row & 63);
        return (word & bit) == 0 ? -1 : _before[row >> 6] + BitOperations.PopCount(word & (bit - 1));
    }
}
