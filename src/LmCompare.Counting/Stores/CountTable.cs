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
    private const long InitialBytes = 64L << 20;
    private readonly long _maxSlots;
    private long[] _keys = [];
    private long[] _values = [];
    private int _shift;
    private int _mask;

    /// <summary>
    /// A table that starts at 64 MB, or at the size <paramref name="expectedKeys"/> need (within <paramref name="maxBytes"/>),
    /// and doubles as it fills, up to <paramref name="maxBytes"/>: typical corpora have far fewer distinct keys than the
    /// worst case. A table expected to fill its budget is made at full size at once: growing it would hold the old and
    /// the new arrays together, half as much again as the budget.
    /// </summary>
    public CountTable(long maxBytes, long expectedKeys = 0)
    {
        _maxSlots = Math.Min(1L << 30, (long)BitOperations.RoundUpToPowerOf2((ulong)Math.Max(1024, maxBytes / 16 / 2 + 1)));
        long wanted = Math.Max(InitialBytes / 16, (long)Math.Min(1L << 40, expectedKeys / MaxLoad));
        Allocate(Math.Min(_maxSlots, (long)BitOperations.RoundUpToPowerOf2((ulong)wanted)));
    }

    /// <summary>Bytes of a table that holds <paramref name="keys"/> keys without filling up.</summary>
    public static long BytesFor(long keys) => (long)Math.Min(1L << 40, keys / MaxLoad * 16 * 2 + 1024 * 32);

    /// <summary>Distinct keys held.</summary>
    public int Count { get; private set; }

    /// <summary>Keys the table holds at its current size.</summary>
    public int Capacity { get; private set; }

    /// <summary>
    /// True when <paramref name="more"/> new keys might not fit even after growing to the budget: the caller drains
    /// the table then. Grows the table when that makes room.
    /// </summary>
    public bool MustDrainBefore(int more)
    {
        while (Count + more > Capacity)
        {
            if (_keys.LongLength >= _maxSlots) return true;
            Grow();
        }
        return false;
    }

    private void Allocate(long slots)
    {
        _keys = new long[slots];
        _values = new long[slots];
        Array.Fill(_keys, Empty);
        _mask = (int)(slots - 1);
        _shift = 64 - BitOperations.Log2((ulong)slots);
        Capacity = (int)(slots * MaxLoad);
    }

    private void Grow()
    {
        var keys = _keys;
        var values = _values;
        Allocate(_keys.LongLength * 2);
        Count = 0;
        for (int i = 0; i < keys.Length; i++)
            if (keys[i] != Empty) Add(keys[i], values[i]);
    }

    private int SlotOf(long key) => (int)((ulong)(key * unchecked((long)0x9E3779B97F4A7C15)) >> _shift);

    /// <summary>Adds one to the count of <paramref name="key"/> (key &gt;= 0). Call <see cref="MustDrainBefore"/> first.</summary>
    public void Increment(long key) => Add(key, 1);

    private void Add(long key, long delta)
    {
        int slot = SlotOf(key);
        while (true)
        {
            long current = _keys[slot];
            if (current == key) { _values[slot] += delta; return; }
            if (current == Empty)
            {
                _keys[slot] = key;
                _values[slot] = delta;
                Count++;
                return;
            }
            slot = (slot + 1) & _mask;
        }
    }

    /// <summary>
    /// Moves the entries to the front of the arrays (in slot order, deterministic) and hands them to
    /// <paramref name="sink"/>; the table is empty afterwards (and keeps its size).
    /// </summary>
    public void Drain(Action<Memory<long>, Memory<long>> sink)
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
