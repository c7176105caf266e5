using System.Numerics;

namespace LmCompare.Counting.NGrams.Streaming;

/// <summary>
/// Sorts fixed-width int records by their first key ints (non-negative, compared as unsigned, the first the most
/// significant) with a least-significant-digit radix sort: per key int one or two stable counting passes of at most 16
/// bits, as many bits as the largest value there needs, and none where every record has the same digit. Time is linear
/// in the records (Knuth, TAOCP vol. 3, 5.2.5); a scratch buffer of the same size is the price.
/// </summary>
public static class RecordRadixSort
{
    /// <summary>Sorts <paramref name="count"/> records of <paramref name="records"/>; returns the array that holds them
    /// sorted (<paramref name="records"/> or <paramref name="scratch"/>).</summary>
    public static int[] Sort(int[] records, int[] scratch, int count, int stride, int keyInts)
    {
        if (scratch.Length < (long)count * stride) throw new ArgumentException("the scratch buffer is smaller than the records");
        var source = records;
        var target = scratch;
        var histogram = new int[1 << 16];
        for (int column = keyInts - 1; column >= 0; column--)
        {
            int bits = 32 - BitOperations.LeadingZeroCount((uint)MaxOr(source, count, stride, column));
            int width = bits <= 16 ? Math.Max(1, bits) : (bits + 1) / 2;
            for (int shift = 0; shift < bits; shift += width)
                if (Pass(source, target, count, stride, column, shift, Math.Min(width, bits - shift), histogram))
                    (source, target) = (target, source);
        }
        return source;
    }

    /// <summary>The bitwise or of a column: its highest set bit bounds every value's.</summary>
    private static int MaxOr(int[] records, int count, int stride, int column)
    {
        int or = 0;
        for (long i = column, end = (long)count * stride; i < end; i += stride) or |= records[i];
        return or;
    }

    /// <summary>One stable counting pass on <paramref name="width"/> bits at <paramref name="shift"/>; false (and nothing
    /// moved) when every record has the same digit.</summary>
    private static bool Pass(int[] source, int[] target, int count, int stride, int column, int shift, int width, int[] histogram)
    {
        int buckets = 1 << width, mask = buckets - 1;
        Array.Clear(histogram, 0, buckets);
        for (long i = column, end = (long)count * stride; i < end; i += stride) histogram[(int)((uint)source[i] >> shift) & mask]++;
        int offset = 0;
        for (int b = 0; b < buckets; b++)
        {
            int size = histogram[b];
            if (size == count) return false;
            histogram[b] = offset;
            offset += size;
        }
        var from = source.AsSpan();
        var to = target.AsSpan();
        for (int r = 0; r < count; r++)
        {
            long at = (long)r * stride;
            int digit = (int)((uint)source[at + column] >> shift) & mask;
            from.Slice((int)at, stride).CopyTo(to.Slice(histogram[digit]++ * stride, stride));
        }
        return true;
    }
}
