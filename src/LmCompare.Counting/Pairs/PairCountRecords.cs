using LmCompare.Core;
using LmCompare.Counting.NGrams.Streaming;

namespace LmCompare.Counting.Pairs;

/// <summary>
/// Pair counts as a sorted record stream (the streams of <see cref="RecordFile"/>): three ints per record, the key's high
/// and low halves (so the records' unsigned int order is the key order) and the count. A count held in one record is
/// below 2^31, as the tables store it.
/// </summary>
public static class PairCountRecords
{
    public const int Stride = 3;
    public const int KeyInts = 2;
    public const int CountInt = 2;

    public static long Key(ReadOnlySpan<int> record) => ((long)(uint)record[0] << 32) | (uint)record[1];

    public static void Set(Span<int> record, long key, long count)
    {
        record[0] = (int)(key >> 32);
        record[1] = (int)key;
        record[CountInt] = CheckedCount(count);
    }

    public static int CheckedCount(long count) => count <= int.MaxValue ? (int)count
        : throw new InputException($"a pair count of {count:N0} exceeds the table format's 2^31 - 1");

    /// <summary>Adds the count of a record with the same key (a merge of runs).</summary>
    public static void Combine(Span<int> into, ReadOnlySpan<int> other) =>
        into[CountInt] = CheckedCount((long)into[CountInt] + other[CountInt]);

    /// <summary>Sorted keys and their counts (one per key) as a record stream.</summary>
    public static IRecordSource FromArrays(long[] keys, long[] counts) => new ArraySource(keys, counts);

    private sealed class ArraySource(long[] keys, long[] counts) : IRecordSource
    {
        private readonly int[] _current = new int[PairCountRecords.Stride];
        private int _index = -1;

        int IRecordSource.Stride => Stride;
        public ReadOnlySpan<int> Current => _current;

        public bool MoveNext()
        {
            if (++_index >= keys.Length) return false;
            Set(_current, keys[_index], counts[_index]);
            return true;
        }

        public void Dispose() { }
    }
}
