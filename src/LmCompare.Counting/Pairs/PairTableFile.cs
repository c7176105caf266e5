using System.IO.Hashing;
using System.Runtime.InteropServices;
using LmCompare.Core;
using LmCompare.Counting.NGrams;

namespace LmCompare.Counting.Pairs;

/// <summary>
/// The layout of <c>pairs.tables</c> (format 3), written front to back by a build that streams its counts
/// (<see cref="PairTableWriter"/>), so the largest part comes first and the header is a trailer:
/// <code>
/// entries   E x (int v, int count)        rows in order, successors ascending
/// top       L x K x (int v, int count)    per row of more than K successors (L of them, in row order): its K most frequent,
///                                         count descending, ties by the smaller id; a shorter row is its own list
/// index     long RowStart[rows + 1], long RowTotal[rows], int Continuation[V], long Singletons[N], long Doubletons[N]
/// trailer   8 longs: E, V, N, K, top offset, index offset, 3 (format), magic "LMCPAIR3"
/// </code>
/// Little-endian as the machine writes it. The XxHash64 of the whole file is recorded in the model's manifest and checked
/// on open. The top lists carry their counts so that ranking bounds an id without searching the rows
/// (<see cref="PairRanker"/>). Older formats are refused with a rebuild hint: 1 (header first, read whole into memory) and 2
/// (a list of K ids for every row, -1 padded, without counts).
/// </summary>
public static class PairTableFile
{
    public const long Magic = 0x3352494150434D4C; // "LMCPAIR3"
    private const long FormatTwo = 0x3252494150434D4C; // "LMCPAIR2" at the end of a format-2 file
    private const long FormatOne = 0x3152494150434D4C; // "LMCPAIR1" at the start of a format-1 file
    private const int Version = 3;
    private const int TrailerBytes = 8 * sizeof(long);
    private const int BlockBytes = 4 << 20;

    /// <summary>The bytes after the top lists, as both the writer and <see cref="Hash"/> emit them.</summary>
    internal static void EmitIndex(Action<ReadOnlySpan<byte>> sink, PairTables t, long topOffset, long indexOffset)
    {
        sink(MemoryMarshal.AsBytes<long>(t.RowStart.ToArray())); sink(MemoryMarshal.AsBytes<long>(t.RowTotal.ToArray()));
        sink(MemoryMarshal.AsBytes<int>(t.Continuation)); sink(MemoryMarshal.AsBytes<long>(t.Singletons));
        sink(MemoryMarshal.AsBytes<long>(t.Doubletons));
        sink(MemoryMarshal.AsBytes<long>([t.EntryCount, t.VocabularySize, t.Distances, t.TopK, topOffset, indexOffset, Version, Magic]));
    }

    private static long IndexBytes(long rows, int v, int n) => (rows + 1 + rows) * sizeof(long) + (long)v * sizeof(int) + 2L * n * sizeof(long);

    /// <summary>The XxHash64 of the file the in-memory tables would be written as.</summary>
    internal static ulong Hash(PairTables t, ArrayPairEntries entries)
    {
        var hash = new XxHash64();
        hash.Append(MemoryMarshal.AsBytes<int>(entries.Entries.AsSpan(0, (int)(t.EntryCount * PairEntries.Stride))));
        hash.Append(MemoryMarshal.AsBytes<int>(entries.Top));
        long topOffset = t.EntryCount * PairEntries.Stride * sizeof(int);
        EmitIndex(hash.Append, t, topOffset, topOffset + (long)entries.Top.Length * sizeof(int));
        return hash.GetCurrentHashAsUInt64();
    }

    /// <summary>
    /// Maps the file and reads its row index (16 bytes per row, the only part copied); entries and top lists are read in
    /// place (<see cref="MappedPairEntries"/>), the whole-file checksum against <paramref name="expectedHash"/> runs in the
    /// background (<see cref="PairEntries.EnsureIntact"/>). Its length and trailer are checked here.
    /// </summary>
    public static PairTables OpenMapped(string path, ulong expectedHash)
    {
        if (!File.Exists(path)) throw new InputException($"{path}: pair tables not found (the build did not finish)");
        var file = new NGrams.Mapped.MappedFile(path);
        try
        {
            var (entries, v, n, k, topOffset, indexOffset) = Layout(path, file.Length, file.Bytes(Math.Max(0, file.Length - TrailerBytes),
                (int)Math.Min(file.Length, TrailerBytes)), () => file.Bytes(0, 8));
            long rows = v * n, at = indexOffset;
            T[] Read<T>(long count) where T : unmanaged
            {
                var data = MemoryMarshal.Cast<byte, T>(file.Bytes(at, checked((int)(count * Marshal.SizeOf<T>())))).ToArray();
                at += count * Marshal.SizeOf<T>();
                return data;
            }
            var rowStart = new RowColumn(file, at, rows + 1); // read in place: 16 bytes a row not copied
            var rowTotal = new RowColumn(file, at += (rows + 1) * sizeof(long), rows);
            at += rows * sizeof(long);
            var continuation = Read<int>(v);
            var singletons = Read<long>(n);
            var doubletons = Read<long>(n);
            var slots = CheckIndex(path, rowStart, entries, k, topOffset, indexOffset);
            return new PairTables
            {
                VocabularySize = (int)v, Distances = (int)n, TopK = (int)k, RowStart = rowStart, RowTotal = rowTotal,
                Continuation = continuation, Singletons = singletons, Doubletons = doubletons, Slots = slots,
                Entries = new MappedPairEntries(file, topOffset, (int)k, path, expectedHash),
            };
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static InputException Corrupt(string path) => new($"{path}: pair tables are corrupt (checksum does not match the manifest)");

    /// <summary>The layout the trailer states, checked against the file's length: entries, V, N, K, top offset, index offset.</summary>
    private static (long, long, long, long, long, long) Layout(string path, long length, ReadOnlySpan<byte> trailerBytes,
        Func<ReadOnlySpan<byte>> head)
    {
        var truncated = new InputException($"{path}: truncated pair tables (no complete trailer); rebuild the model");
        if (length < TrailerBytes) throw truncated;
        var trailer = MemoryMarshal.Cast<byte, long>(trailerBytes);
        if (trailer[7] == FormatTwo || (trailer[7] != Magic && MemoryMarshal.Read<long>(head()) == FormatOne))
            throw new InputException($"{path}: pair tables in format {(trailer[7] == FormatTwo ? 2 : 1)} (an older lmc); rebuild the " +
                "model with lmc pairs build --force");
        if (trailer[7] != Magic) throw truncated;
        long entries = trailer[0], v = trailer[1], n = trailer[2], k = trailer[3], topOffset = trailer[4], indexOffset = trailer[5];
        if (v is < 1 or > int.MaxValue || n is < 1 or > PairKey.MaxDistance || k is < 1 or > 1 << 20 || entries < 0) throw Corrupt(path);
        long rows = v * n, listBytes = k * PairEntries.Stride * sizeof(int);
        if (topOffset != entries * PairEntries.Stride * sizeof(int) || indexOffset < topOffset || (indexOffset - topOffset) % listBytes != 0
            || rows + 1 > Array.MaxLength) throw Corrupt(path);
        if (length != indexOffset + IndexBytes(rows, (int)v, (int)n) + TrailerBytes) throw truncated;
        return (entries, v, n, k, topOffset, indexOffset);
    }

    /// <summary>The row index read back is the one the file was written with: row starts rise from 0 to E (so no lookup
    /// leaves the entries, even before the checksum has run), and the top section holds one list per row of more than K
    /// successors. Returns the rows' top-list slots, built in the same pass.</summary>
    private static TopListSlots CheckIndex(string path, RowColumn rowStart, long entries, long k, long topOffset, long indexOffset)
    {
        var slots = new TopListSlots(rowStart, (int)k);
        if (!slots.Rising || rowStart[0] != 0 || rowStart.Last != entries
            || slots.Count * k * PairEntries.Stride * sizeof(int) != indexOffset - topOffset) throw Corrupt(path);
        return slots;
    }

    /// <summary>Reads the index, checks the whole file against <paramref name="expectedHash"/> in one pass, and keeps in
    /// memory all entries if they fit <paramref name="cacheBytes"/>, else its busiest rows.</summary>
    public static PairTables Open(string path, ulong expectedHash, long cacheBytes)
    {
        if (!File.Exists(path)) throw new InputException($"{path}: pair tables not found (the build did not finish)");
        var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        try
        {
            return Open(path, file, expectedHash, cacheBytes);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static PairTables Open(string path, Microsoft.Win32.SafeHandles.SafeFileHandle file, ulong expectedHash, long cacheBytes)
    {
        long length = RandomAccess.GetLength(file);
        var trailer = new byte[TrailerBytes];
        if (length >= TrailerBytes) OrderRecords.ReadFully(file, trailer, length - TrailerBytes);
        var first = new byte[sizeof(long)];
        var (entries, v, n, k, topOffset, indexOffset) = Layout(path, length, trailer, () =>
        {
            OrderRecords.ReadFully(file, first, 0);
            return first;
        });
        long rows = v * n;
        long at = indexOffset;
        T[] Read<T>(long count) where T : unmanaged
        {
            var data = new T[count];
            OrderRecords.ReadFully(file, MemoryMarshal.AsBytes(data.AsSpan()), at);
            at += count * Marshal.SizeOf<T>();
            return data;
        }
        var rowStart = Read<long>(rows + 1);
        var rowTotal = Read<long>(rows);
        var continuation = Read<int>(v);
        var singletons = Read<long>(n);
        var doubletons = Read<long>(n);
        var slots = CheckIndex(path, rowStart, entries, k, topOffset, indexOffset);
        var copies = new List<Copy>();
        PairEntries held;
        long topInts = (indexOffset - topOffset) / sizeof(int);
        if (indexOffset <= cacheBytes && entries * PairEntries.Stride <= Array.MaxLength && topInts <= Array.MaxLength)
        {
            var all = new int[entries * PairEntries.Stride];
            var top = new int[topInts];
            copies.Add(new Copy(0, all, 0));
            copies.Add(new Copy(topOffset, top, 0));
            held = new ArrayPairEntries(all, top, (int)k);
        }
        else
        {
            var (cacheStart, cacheInts) = FilePairEntries.ChooseRows(rowStart, rowTotal, cacheBytes);
            var cache = new int[cacheInts];
            for (long r = 0; r < rows; r++)
                if (cacheStart[r] >= 0) copies.Add(new Copy(rowStart[r] * PairEntries.Stride * sizeof(int), cache, cacheStart[r],
                    (rowStart[r + 1] - rowStart[r]) * PairEntries.Stride));
            held = new FilePairEntries(file, topOffset, (int)k, cacheStart, cache);
        }
        if (Verify(file, length, copies) != expectedHash) { held.Dispose(); throw Corrupt(path); }
        if (held is ArrayPairEntries) file.Dispose();
        return new PairTables
        {
            VocabularySize = (int)v, Distances = (int)n, TopK = (int)k, RowStart = rowStart, RowTotal = rowTotal, Continuation = continuation,
            Singletons = singletons, Doubletons = doubletons, Entries = held, Slots = slots,
        };
    }

    /// <summary>Ints of the file from <see cref="FileOffset"/> into <see cref="Target"/> at <see cref="TargetIndex"/>
    /// (the whole target when <see cref="Ints"/> is -1).</summary>
    private sealed record Copy(long FileOffset, int[] Target, long TargetIndex, long Ints = -1)
    {
        public long Bytes => (Ints < 0 ? Target.LongLength - TargetIndex : Ints) * sizeof(int);
    }

    /// <summary>One sequential pass: the file's XxHash64, filling the copies (in file order) on the way.</summary>
    private static ulong Verify(Microsoft.Win32.SafeHandles.SafeFileHandle file, long length, List<Copy> copies)
    {
        var hash = new XxHash64();
        var buffer = new byte[BlockBytes];
        int next = 0;
        for (long offset = 0; offset < length; offset += BlockBytes)
        {
            var block = buffer.AsSpan(0, (int)Math.Min(BlockBytes, length - offset));
            OrderRecords.ReadFully(file, block, offset);
            hash.Append(block);
            while (next < copies.Count && copies[next].FileOffset < offset + block.Length)
            {
                var c = copies[next];
                long from = Math.Max(c.FileOffset, offset), to = Math.Min(c.FileOffset + c.Bytes, offset + block.Length);
                long targetByte = c.TargetIndex * sizeof(int) + (from - c.FileOffset);
                CopyInto(c.Target, targetByte, block.Slice((int)(from - offset), (int)(to - from)));
                if (c.FileOffset + c.Bytes > offset + block.Length) break; // continues in the next block
                next++;
            }
        }
        return hash.GetCurrentHashAsUInt64();
    }

    /// <summary>Bytes into an int array at a byte offset that may pass 2^31 (arrays of up to 2^31 ints).</summary>
    private static void CopyInto(int[] target, long byteOffset, ReadOnlySpan<byte> bytes)
    {
        int first = (int)(byteOffset / sizeof(int)), within = (int)(byteOffset % sizeof(int));
        int ints = (int)Math.Min(target.LongLength - first, (within + (long)bytes.Length + sizeof(int) - 1) / sizeof(int));
        bytes.CopyTo(MemoryMarshal.AsBytes(target.AsSpan(first, ints))[within..]);
    }
}
