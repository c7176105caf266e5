using System.Numerics;

namespace LmCompare.Counting.Stores;

/// <summary>
/// In-memory aggregation in front of a count store: an open-addressing hash table of non-negative 64-bit keys to
/// counts (linear probing, 16 bytes a slot). Counting first here and merging once per key into the store is what
/// keeps a disk-backed store fast (FASTER's read-modify-write is ~4x slower than this table's increment).
/// </summary>
public sealed class CountTable
{
    private const long Empty = -1;
    private const double MaxLoad = 0.7;
    private readonly long[] _keys;
    private readonly long[] _values;
    private readonly int _shift;
    private readonly int _mask;

    /// <summary>A table using at most <paramref name="bytes"/> bytes (rounded down to a power of two of slots).</summary>
    public CountTable(long bytes)
    {
        long slots = (long)BitOperations.RoundUpToPowerOf2((ulong)Math.Max(1024, bytes / 16 / 2 + 1));
        slots = Math.Min(slots, 1L << 30);
        _keys = new long[slots];
        _values = new long[slots];
        Array.Fill(_keys, Empty);
        _mask = (int)(slots - 1);
        _shift = 64 - BitOperations.Log2((ulong)slots);
        Capacity = (int)(slots * MaxLoad);
    }

    /// <summary>Bytes of a table that holds <paramref name="keys"/> keys without filling up.</summary>
    public static long BytesFor(long keys) => (long)Math.Min(1L << 40, keys / MaxLoad * 16 * 2 + 1024 * 32);

    /// <summary>Distinct keys held.</summary>
    public int Count { get; private set; }

    /// <summary>Keys it can hold before it must be drained.</summary>
    public int Capacity { get; }

    public bool IsFull => Count >= Capacity;

    public long Bytes => _keys.LongLength * 16;

    /// <summary>Adds one to the count of <paramref name="key"/> (key &gt;= 0). The caller drains the table when <see cref="IsFull"/>.</summary>
    public void Increment(long key)
    {
        int slot = (int)((ulong)(key * unchecked((long)0x9E3779B97F4A7C15)) >> _shift);
        while (true)
        {
            long current = _keys[slot];
            if (current == key) { _values[slot]++; return; }
            if (current == Empty)
            {
                _keys[slot] = key;
                _values[slot] = 1;
                Count++;
                return;
            }
            slot = (slot + 1) & _mask;
        }
    }

    public long Get(long key)
    {
        int slot = (int)((ulong)(key * unchecked((long)0x9E3779B97F4A7C15)) >> _shift);
        while (true)
        {
            long current = _keys[slot];
            if (current == key) return _values[slot];
            if (current == Empty) return 0;
            slot = (slot + 1) & _mask;
        }
    }

    /// <summary>
    /// Moves the entries to the front of the arrays (in slot order, deterministic) and hands them to
    /// <paramref name="sink"/>; the table is empty afterwards.
    /// </summary>
    public void Drain(Action<ReadOnlyMemory<long>, ReadOnlyMemory<long>> sink)
    {
        int n = 0;
        for (int i = 0; i < _keys.Length; i++)
        {
            if (_keys[i] == Empty) continue;
            _keys[n] = _keys[i];
            _values[n] = _values[i];
            n++;
        }
        if (n > 0) sink(_keys.AsMemory(0, n), _values.AsMemory(0, n));
        Array.Fill(_keys, Empty);
        Count = 0;
    }
}
