using System.IO.Hashing;
using System.Runtime.InteropServices;
using LmCompare.Core;

namespace LmCompare.Counting.Pairs;

/// <summary>
/// The compiled pair-distance counts the model scores with (<c>pairs.tables</c>), like KenLM's binary format next to
/// its ARPA file. Rows r = u * N + d - 1 in compressed sparse row form: successors v (ascending) and counts
/// c_d(u, v); per row the total c_d(u, .) and the top-K successors; per word its continuation count
/// N1+(. v) = distinct u with c_1(u, v) &gt; 0.
/// </summary>
public sealed class PairTables
{
    private const long Magic = 0x3152494150434D4C; // "LMCPAIR1"

    public required int VocabularySize { get; init; }
    public required int Distances { get; init; }
    public required int TopK { get; init; }
    /// <summary>Start of each row in <see cref="Successors"/>; length rows + 1.</summary>
    public required long[] RowStart { get; init; }
    public required int[] Successors { get; init; }
    public required int[] Counts { get; init; }
    /// <summary>c_d(u, .) per row.</summary>
    public required long[] RowTotal { get; init; }
    /// <summary>K successors per row by count descending then id; -1 pads short rows.</summary>
    public required int[] Top { get; init; }
    /// <summary>N1+(. v): distinct words seen directly before v.</summary>
    public required int[] Continuation { get; init; }
    /// <summary>Per distance d (index d-1): pairs seen once and twice, for the discount D_d = n1 / (n1 + 2 n2).</summary>
    public required long[] Singletons { get; init; }
    public required long[] Doubletons { get; init; }

    public long Entries => Successors.LongLength;

    public long RowOf(int u, int d) => (long)u * Distances + d - 1;

    /// <summary>c_d(u, v) by binary search in the row (u, d).</summary>
    public int CountOf(int u, int v, int d)
    {
        long row = RowOf(u, d);
        int start = (int)RowStart[row], length = (int)(RowStart[row + 1] - start);
        int index = Successors.AsSpan(start, length).BinarySearch(v);
        return index >= 0 ? Counts[start + index] : 0;
    }

    public int DistinctSuccessors(int u, int d) { long row = RowOf(u, d); return (int)(RowStart[row + 1] - RowStart[row]); }

    /// <summary>The top-K successors of (u, d), most frequent first.</summary>
    public ReadOnlySpan<int> TopSuccessors(int u, int d)
    {
        var top = Top.AsSpan((int)(RowOf(u, d) * TopK), TopK);
        int n = top.IndexOf(-1);
        return n < 0 ? top : top[..n];
    }

    private delegate void ByteSink(ReadOnlySpan<byte> bytes);

    /// <summary>The file's bytes in order: header, then every array.</summary>
    private void Emit(ByteSink sink)
    {
        void Write<T>(ReadOnlySpan<T> data) where T : unmanaged => sink(MemoryMarshal.AsBytes(data));
        Write<long>([Magic, VocabularySize, Distances, TopK, Entries]);
        Write<long>(RowStart); Write<int>(Successors); Write<int>(Counts); Write<long>(RowTotal);
        Write<int>(Top); Write<int>(Continuation); Write<long>(Singletons); Write<long>(Doubletons);
    }

    /// <summary>Writes the tables; returns the XxHash64 of the file, recorded in the manifest and checked on load.</summary>
    public ulong Save(string path)
    {
        string temp = path + ".tmp";
        var hash = new XxHash64();
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            Emit(bytes => { hash.Append(bytes); stream.Write(bytes); });
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
        return hash.GetCurrentHashAsUInt64();
    }

    /// <summary>The XxHash64 <see cref="Save"/> would record, without writing (tables derived in memory are checked with it).</summary>
    public ulong Hash()
    {
        var hash = new XxHash64();
        Emit(hash.Append);
        return hash.GetCurrentHashAsUInt64();
    }

    /// <summary>Reads and verifies the tables; a truncated or altered file is an <see cref="InputException"/> naming it.</summary>
    public static PairTables Load(string path, ulong expectedHash)
    {
        if (!File.Exists(path)) throw new InputException($"{path}: pair tables not found (the build did not finish)");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        var hash = new XxHash64();
        T[] Read<T>(long count) where T : unmanaged
        {
            if (count < 0 || count > Array.MaxLength) throw new InputException($"{path}: corrupt header");
            var data = new T[count];
            var bytes = MemoryMarshal.AsBytes(data.AsSpan());
            if (stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) != bytes.Length)
                throw new InputException($"{path}: truncated pair tables");
            hash.Append(bytes);
            return data;
        }
        var header = Read<long>(5);
        if (header[0] != Magic) throw new InputException($"{path}: not a pair tables file");
        int v = (int)header[1], n = (int)header[2], k = (int)header[3];
        long entries = header[4], rows = (long)v * n;
        var tables = new PairTables
        {
            VocabularySize = v, Distances = n, TopK = k,
            RowStart = Read<long>(rows + 1), Successors = Read<int>(entries), Counts = Read<int>(entries), RowTotal = Read<long>(rows),
            Top = Read<int>(rows * k), Continuation = Read<int>(v), Singletons = Read<long>(n), Doubletons = Read<long>(n),
        };
        if (stream.Position != stream.Length || hash.GetCurrentHashAsUInt64() != expectedHash)
            throw new InputException($"{path}: pair tables are corrupt (checksum does not match the manifest)");
        return tables;
    }
}
