using LmCompare.Core;

namespace LmCompare.Counting.Pairs;

/// <summary>
/// Packs (u, v, d) into one non-negative 64-bit key: u in bits 35..62, d-1 in bits 29..34, v in bits 0..28. Sorting
/// keys therefore sorts by u, then d, then v: the rows (u, d) of the count table come out contiguous.
/// </summary>
public static class PairKey
{
    public const int MaxDistance = 64;
    public const int MaxVocabulary = 1 << 28;

    public static long Pack(int u, int v, int d) => ((long)u << 35) | ((long)(d - 1) << 29) | (uint)v;

    public static int U(long key) => (int)(key >> 35);

    public static int D(long key) => (int)((key >> 29) & 63) + 1;

    public static int V(long key) => (int)(key & ((1 << 29) - 1));

    /// <summary>Row index of (u, d) in tables laid out u-major: u * distances + d - 1.</summary>
    public static long Row(long key, int distances) => (long)U(key) * distances + D(key) - 1;

    public static void CheckVocabulary(int size)
    {
        if (size > MaxVocabulary)
            throw new InputException($"a vocabulary of {size:N0} ids does not fit the pair key packing (at most {MaxVocabulary:N0}); use " +
                $"--max-vocab at ingestion");
    }
}
