using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LmCompare.Counting.NGrams.Streaming;

/// <summary>
/// Sorts fixed-width int records by their first key ints (non-negative, compared as unsigned, the first the most
/// significant) with a least-significant-digit radix sort: per key int one or two stable counting passes of at most 16
/// bits, as many bits as the largest value there needs, and none where every record has the same digit. Time is linear
/// in the records (Knuth, TAOCP vol. 3, 5.2.5); a scratch buffer of the same size is the price.
/// The records are read twice before any moves (once for each key int's highest bit, once for every digit's histogram,
/// as in Terdiman's "radix sort revisited"), so a sort of d digits costs two reading sweeps and d scatters, not 3d sweeps.
/// </summary>
public static class RecordRadixSort
{
    /// <summary>Sorts <paramref name="count"/> records of <paramref name="records"/>; returns the array that holds them
    /// sorted (<paramref name="records"/> or <paramref name="scratch"/>).</summary>
    public static int[] Sort(int[] records, int[] scratch, int count, int stride, int keyInts)
    {
        if (scratch.Length < (long)count * stride) throw new ArgumentException("the scratch buffer is smaller than the records");
        var digits = Digits(MaxOr(records, count, stride, keyInts));
        var histograms = Histograms(records, count, stride, digits);
        var source = records;
        var target = scratch;
        for (int d = 0; d < digits.Length; d++)
        {
            var offsets = histograms.AsSpan(digits[d].Histogram, 1 << digits[d].Width);
            if (!ToOffsets(offsets, count)) continue; // every record has the same digit: nothing would move
            Scatter(source, target, count, stride, digits[d], offsets);
            (source, target) = (target, source);
        }
        return source;
    }

    /// <summary>One digit of a key int: <see cref="Width"/> bits at <see cref="Shift"/>; its histogram's offset.</summary>
    private readonly record struct Digit(int Column, int Shift, int Width, int Histogram);

    /// <summary>The bitwise or of each key int over all records: its highest set bit bounds every value's.</summary>
    private static int[] MaxOr(int[] records, int count, int stride, int keyInts)
    {
        var or = new int[keyInts];
        for (long at = 0, end = (long)count * stride; at < end; at += stride)
            for (int c = 0; c < keyInts; c++) or[c] |= records[at + c];
        return or;
    }

    /// <summary>The passes, least significant first: a key int of up to 16 bits in one, a wider one in two halves.</summary>
    private static Digit[] Digits(int[] or)
    {
        var digits = new List<Digit>();
        int histogram = 0;
        for (int column = or.Length - 1; column >= 0; column--)
        {
            int bits = 32 - BitOperations.LeadingZeroCount((uint)or[column]);
            int width = bits <= 16 ? Math.Max(1, bits) : (bits + 1) / 2;
            for (int shift = 0; shift < bits; shift += width) // none for a key int that is 0 in every record
            {
                int w = Math.Min(width, bits - shift);
                digits.Add(new Digit(column, shift, w, histogram));
                histogram += 1 << w;
            }
        }
        return [.. digits];
    }

    /// <summary>Every digit's histogram in one sweep over the records, side by side in one array.</summary>
    private static int[] Histograms(int[] records, int count, int stride, Digit[] digits)
    {
        var histograms = new int[digits.Length == 0 ? 0 : digits[^1].Histogram + (1 << digits[^1].Width)];
        for (long at = 0, end = (long)count * stride; at < end; at += stride)
            foreach (var d in digits) histograms[d.Histogram + ((int)((uint)records[at + d.Column] >> d.Shift) & ((1 << d.Width) - 1))]++;
        return histograms;
    }

    /// <summary>Turns counts into each bucket's first position; false when one bucket holds every record.</summary>
    private static bool ToOffsets(Span<int> histogram, int count)
    {
        int offset = 0;
        for (int b = 0; b < histogram.Length; b++)
        {
            int size = histogram[b];
            if (size == count) return false;
            histogram[b] = offset;
            offset += size;
        }
        return true;
    }

    /// <summary>One stable counting pass: each record to its bucket's next position.</summary>
    private static void Scatter(int[] source, int[] target, int count, int stride, Digit digit, Span<int> offsets)
    {
        ref int from = ref MemoryMarshal.GetArrayDataReference(source);
        ref int to = ref MemoryMarshal.GetArrayDataReference(target);
        ref int next = ref MemoryMarshal.GetReference(offsets);
        int column = digit.Column, shift = digit.Shift, mask = (1 << digit.Width) - 1, bytes = stride * sizeof(int);
        for (int r = 0; r < count; r++)
        {
            ref int record = ref Unsafe.Add(ref from, (nint)r * stride);
            int at = Unsafe.Add(ref next, ((int)((uint)Unsafe.Add(ref record, column) >> shift)) & mask)++;
            Copy(ref Unsafe.As<int, byte>(ref Unsafe.Add(ref to, (nint)at * stride)), ref Unsafe.As<int, byte>(ref record), bytes);
        }
    }

    /// <summary>A record's bytes: records of 16-64 bytes (the estimate's) as two overlapping vectors, without the call and
    /// size dispatch of a general copy; the source and the target never overlap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy(ref byte to, ref byte from, int bytes)
    {
        if (bytes >= 32 && bytes <= 64)
        {
            var head = Vector256.LoadUnsafe(ref from);
            var tail = Vector256.LoadUnsafe(ref from, (nuint)(bytes - 32));
            head.StoreUnsafe(ref to);
            tail.StoreUnsafe(ref to, (nuint)(bytes - 32));
        }
        else if (bytes >= 16 && bytes < 32)
        {
            var head = Vector128.LoadUnsafe(ref from);
            var tail = Vector128.LoadUnsafe(ref from, (nuint)(bytes - 16));
            head.StoreUnsafe(ref to);
            tail.StoreUnsafe(ref to, (nuint)(bytes - 16));
        }
        else Unsafe.CopyBlockUnaligned(ref to, ref from, (uint)bytes);
    }
}
