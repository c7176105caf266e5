using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;

namespace LmCompare.Corpus.Ingest;

/// <summary>
/// Gives each distinct string an id (1, 2, ... in order of first sight): open addressing with linear probing over one
/// array of (hash, id) slots, so a lookup costs one cache line of the table and one of the strings, which sit end to end
/// in one char array. An ingestion worker keeps one per block (<see cref="TakeTypes"/> hands the block's strings over
/// and empties it), so workers share nothing; the provisional vocabulary keeps one for the whole corpus and looks up
/// each block's distinct strings with the hashes the worker computed.
/// </summary>
internal sealed class SpanTable
{
    private ulong[] _slots = new ulong[1 << 12]; // hash << 32 | id; id 0: empty
    private uint[] _hashes = ArrayPool<uint>.Shared.Rent(1 << 10);
    private char[] _chars = ArrayPool<char>.Shared.Rent(1 << 16);
    private int[] _starts = ArrayPool<int>.Shared.Rent(1 << 10);
    private int _charCount, _count;

    /// <summary>Distinct strings so far.</summary>
    public int Count => _count;

    /// <summary>The string of id <paramref name="id"/> (from 1).</summary>
    public ReadOnlySpan<char> this[int id] => _chars.AsSpan(_starts[id - 1], _starts[id] - _starts[id - 1]);

    public int Intern(ReadOnlySpan<char> key) => Intern(key, Hash(key));

    /// <summary>The id of <paramref name="key"/>, whose <see cref="Hash"/> is <paramref name="hash"/>; added when new.</summary>
    public int Intern(ReadOnlySpan<char> key, uint hash)
    {
        if (_count * 2 >= _slots.Length) Grow();
        int mask = _slots.Length - 1;
        for (int slot = (int)hash & mask; ; slot = (slot + 1) & mask)
        {
            ulong entry = _slots[slot];
            if (entry == 0) return Add(slot, hash, key);
            if ((uint)(entry >> 32) == hash && this[(int)entry].SequenceEqual(key)) return (int)entry;
        }
    }

    /// <summary>
    /// Hands over the strings (type t, from 1, is chars[starts[t-1]..starts[t]], its hash hashes[t-1]; the char and start
    /// arrays rented from the shared pools, for the receiver to return) and empties the table.
    /// </summary>
    public BlockTypes TakeTypes()
    {
        var types = new BlockTypes(_chars, _starts, _hashes, _count);
        _chars = ArrayPool<char>.Shared.Rent(1 << 16);
        _starts = ArrayPool<int>.Shared.Rent(1 << 10);
        _hashes = ArrayPool<uint>.Shared.Rent(1 << 10);
        _charCount = 0;
        _count = 0;
        Array.Clear(_slots);
        return types;
    }

    private int Add(int slot, uint hash, ReadOnlySpan<char> key)
    {
        if (_charCount + key.Length > _chars.Length) _chars = Regrow(_chars, _charCount, _charCount + key.Length);
        if (_count + 2 > _starts.Length) _starts = Regrow(_starts, _count + 1, _count + 2);
        if (_count + 1 > _hashes.Length) _hashes = Regrow(_hashes, _count, _count + 1);
        _starts[0] = 0;
        key.CopyTo(_chars.AsSpan(_charCount));
        _charCount += key.Length;
        _hashes[_count] = hash;
        _count++;
        _starts[_count] = _charCount;
        _slots[slot] = ((ulong)hash << 32) | (uint)_count;
        return _count;
    }

    private void Grow()
    {
        var slots = new ulong[_slots.Length * 2];
        int mask = slots.Length - 1;
        foreach (ulong entry in _slots)
        {
            if (entry == 0) continue;
            int slot = (int)(entry >> 32) & mask;
            while (slots[slot] != 0) slot = (slot + 1) & mask;
            slots[slot] = entry;
        }
        _slots = slots;
    }

    private static T[] Regrow<T>(T[] array, int used, int needed)
    {
        var bigger = ArrayPool<T>.Shared.Rent(Math.Max(array.Length * 2, needed));
        array.AsSpan(0, used).CopyTo(bigger);
        ArrayPool<T>.Shared.Return(array);
        return bigger;
    }

    /// <summary>
    /// A multiply-rotate hash over the key's chars four at a time (not randomised: the strings come from the corpus,
    /// not from an adversary, and a bad case only costs time).
    /// </summary>
    public static uint Hash(ReadOnlySpan<char> key)
    {
        var bytes = MemoryMarshal.AsBytes(key);
        ulong h = (ulong)key.Length * 0x9E3779B97F4A7C15UL;
        int i = 0;
        for (; i + 8 <= bytes.Length; i += 8)
            h = BitOperations.RotateLeft((h ^ MemoryMarshal.Read<ulong>(bytes[i..])) * 0xFF51AFD7ED558CCDUL, 31);
        ulong tail = 0;
        for (int shift = 0; i < bytes.Length; i++, shift += 8) tail |= (ulong)bytes[i] << shift;
        h = (h ^ tail) * 0xC4CEB9FE1A85EC53UL;
        h ^= h >> 29;
        return (uint)(h ^ (h >> 32));
    }
}

/// <summary>The distinct strings of one block, in local-id order, with their hashes; see <see cref="SpanTable.TakeTypes"/>.</summary>
internal readonly record struct BlockTypes(char[] Chars, int[] Starts, uint[] Hashes, int Count)
{
    /// <summary>The string of local id <paramref name="id"/> (from 1).</summary>
    public ReadOnlySpan<char> this[int id] => Chars.AsSpan(Starts[id - 1], Starts[id] - Starts[id - 1]);

    public uint Hash(int id) => Hashes[id - 1];

    public void Return()
    {
        ArrayPool<char>.Shared.Return(Chars);
        ArrayPool<int>.Shared.Return(Starts);
        ArrayPool<uint>.Shared.Return(Hashes);
    }
}
