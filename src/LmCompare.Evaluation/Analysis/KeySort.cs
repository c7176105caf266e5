namespace LmCompare.Evaluation.Analysis;

/// <summary>
/// A stable radix sort of 64-bit keys with an int carried beside each (<see cref="KeyCensus"/>'s key occurrences and
/// their token positions). Keys of more than <see cref="LsdBits"/> bits are first distributed by their top
/// <see cref="BucketBits"/> bits, one pass over main memory. Each bucket, about 1/2048 of the records, then takes its
/// LSD passes on the remaining bits within the cache. Plain LSD took six passes over main memory for hashed keys.
/// </summary>
internal static class KeySort
{
    public const int BucketBits = 11;
    /// <summary>Keys this short take plain LSD passes: at most two, as many as the one distribution pass plus its
    /// in-cache passes would cost.</summary>
    private const int LsdBits = 2 * DigitBits;
    private const int DigitBits = 11;

    /// <summary>Sorts keys[0..count) (positions along), stably; may swap the arrays with scratch ones of the same length.</summary>
    public static void Sort(ref ulong[] keys, ref int[] positions, int count)
    {
        int bits = UsedBits(keys, count);
        if (bits == 0 || count < 2) return;
        var (keyScratch, positionScratch) = (new ulong[keys.Length], new int[positions.Length]);
        if (bits <= LsdBits)
        {
            if (Lsd(keys, positions, keyScratch, positionScratch, 0, count, bits)) (keys, positions) = (keyScratch, positionScratch);
            return;
        }
        int shift = bits - BucketBits;
        var starts = Distribute(keys, positions, keyScratch, positionScratch, count, shift);
        // the records are in the scratch arrays now; every bucket takes the same number of passes, so all end in the same pair
        bool inOriginal = false;
        for (int b = 0; b < starts.Length - 1; b++)
            inOriginal = Lsd(keyScratch, positionScratch, keys, positions, starts[b], starts[b + 1] - starts[b], shift);
        if (!inOriginal) (keys, positions) = (keyScratch, positionScratch);
    }

    /// <summary>Bits the keys use: 64 minus the leading zeros of their OR.</summary>
    public static int UsedBits(ulong[] keys, int count)
    {
        ulong used = 0;
        for (int i = 0; i < count; i++) used |= keys[i];
        return 64 - (int)ulong.LeadingZeroCount(used);
    }

    /// <summary>One stable pass by key &gt;&gt; shift into the target arrays; returns each bucket's start, then count.</summary>
    private static int[] Distribute(ulong[] keys, int[] positions, ulong[] toKeys, int[] toPositions, int count, int shift)
    {
        var starts = new int[(1 << BucketBits) + 1];
        for (int i = 0; i < count; i++) starts[(int)(keys[i] >> shift)]++;
        for (int d = 0, sum = 0; d < starts.Length; d++) (starts[d], sum) = (sum, sum + starts[d]);
        var next = starts[..^1];
        for (int i = 0; i < count; i++)
        {
            int at = next[(int)(keys[i] >> shift)]++;
            toKeys[at] = keys[i];
            toPositions[at] = positions[i];
        }
        return starts;
    }

    /// <summary>LSD passes on the low <paramref name="bits"/> bits of [from, from + length), ping-ponging between the two
    /// array pairs; returns true when the result is in the second pair (an odd number of passes).</summary>
    private static bool Lsd(ulong[] keys, int[] positions, ulong[] otherKeys, int[] otherPositions, int from, int length, int bits)
    {
        int passes = (bits + DigitBits - 1) / DigitBits, width = (bits + passes - 1) / passes;
        if (length < 2)
        {
            // nothing to order, but the record must end where the bucket's neighbours do
            if (length == 1 && passes % 2 == 1) (otherKeys[from], otherPositions[from]) = (keys[from], positions[from]);
            return passes % 2 == 1;
        }
        ulong mask = (1UL << width) - 1;
        Span<int> start = stackalloc int[1 << width];
        var (k, p, ok, op) = (keys, positions, otherKeys, otherPositions);
        for (int pass = 0, shift = 0; pass < passes; pass++, shift += width)
        {
            start.Clear();
            for (int i = from; i < from + length; i++) start[(int)((k[i] >> shift) & mask)]++;
            for (int d = 0, sum = from; d < start.Length; d++) (start[d], sum) = (sum, sum + start[d]);
            for (int i = from; i < from + length; i++)
            {
                int at = start[(int)((k[i] >> shift) & mask)]++;
                ok[at] = k[i];
                op[at] = p[i];
            }
            (k, p, ok, op) = (ok, op, k, p);
        }
        return passes % 2 == 1;
    }
}
