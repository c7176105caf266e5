using System.Buffers;
using System.Runtime.InteropServices;
using LmCompare.Counting.NGrams;
using Microsoft.Win32.SafeHandles;

namespace LmCompare.Counting.Pairs;

/// <summary>
/// Entries of a tables file larger than the cache: the busiest rows (largest c_d(u, .), so the ones most positions look
/// up) are held in one array, the rest are read with positioned reads: a row of up to 512 entries (4 KB) in one read, a
/// longer one by binary search on single entries down to such a block. The file's pages stay in the page cache, not in
/// the process (a memory map would count every touched page as resident: the lesson of the n-gram file scorer).
/// </summary>
public sealed class FilePairEntries : PairEntries
{
    private const int BlockEntries = 512;
    private readonly SafeFileHandle _file;
    private readonly long _topOffset;
    private readonly int _topK;
    private readonly int[] _cacheStart; // per row: where its entries start in _cache (in ints), or -1
    private readonly int[] _cache;

    internal FilePairEntries(SafeFileHandle file, long topOffset, int topK, int[] cacheStart, int[] cache)
    {
        _file = file;
        _topOffset = topOffset;
        _topK = topK;
        _cacheStart = cacheStart;
        _cache = cache;
    }

    /// <summary>Entries held in memory.</summary>
    public long CachedEntries => _cache.LongLength / Stride;

    /// <summary>
    /// The rows to hold in memory within <paramref name="cacheBytes"/>, busiest first (ties by row, so the choice is
    /// reproducible): per row where its entries go in the cache (in ints), or -1; and the cache's length in ints.
    /// </summary>
    internal static (int[] CacheStart, long CacheInts) ChooseRows(long[] rowStart, long[] rowTotal, long cacheBytes)
    {
        var rows = new int[rowTotal.Length];
        var keys = new long[rowTotal.Length];
        for (int r = 0; r < rows.Length; r++) { rows[r] = r; keys[r] = -rowTotal[r]; }
        Array.Sort(keys, rows);
        var cacheStart = new int[rowTotal.Length];
        Array.Fill(cacheStart, -1);
        long budgetInts = Math.Min(cacheBytes / sizeof(int), Array.MaxLength), used = 0;
        foreach (int r in rows)
        {
            long ints = (rowStart[r + 1] - rowStart[r]) * Stride;
            if (ints == 0 || used + ints > budgetInts) continue;
            cacheStart[r] = (int)used;
            used += ints;
        }
        return (cacheStart, used);
    }

    public override int CountOf(long row, long start, int length, int v)
    {
        if (_cacheStart[row] >= 0) return Search(_cache.AsSpan(_cacheStart[row], length * Stride), v);
        long lo = start, hi = start + length; // entries [lo, hi) may hold v
        Span<int> entry = stackalloc int[Stride];
        while (hi - lo > BlockEntries)
        {
            long mid = lo + ((hi - lo) >> 1);
            Read(entry, mid);
            if (entry[0] == v) return entry[1];
            if (entry[0] < v) lo = mid + 1; else hi = mid;
        }
        Span<int> block = stackalloc int[BlockEntries * Stride];
        block = block[..(int)((hi - lo) * Stride)];
        Read(block, lo);
        return Search(block, v);
    }

    public override PairRow Row(long row, long start, int length)
    {
        if (_cacheStart[row] >= 0) return new PairRow(_cache.AsSpan(_cacheStart[row], length * Stride));
        var buffer = ArrayPool<int>.Shared.Rent(Math.Max(1, length * Stride));
        var entries = buffer.AsSpan(0, length * Stride);
        Read(entries, start);
        return new PairRow(entries, buffer);
    }

    public override PairRow TopAt(long slot)
    {
        var buffer = ArrayPool<int>.Shared.Rent(_topK * Stride);
        var top = buffer.AsSpan(0, _topK * Stride);
        OrderRecords.ReadFully(_file, MemoryMarshal.AsBytes(top), _topOffset + slot * top.Length * sizeof(int));
        return new PairRow(top, buffer);
    }

    /// <summary>Entries from index <paramref name="entry"/> on, as many as <paramref name="destination"/> holds.</summary>
    private void Read(Span<int> destination, long entry) =>
        OrderRecords.ReadFully(_file, MemoryMarshal.AsBytes(destination), entry * Stride * sizeof(int));

    public override void Dispose()
    {
        _file.Dispose();
        base.Dispose();
    }
}
