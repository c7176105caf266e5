using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace LmCompare.Counting.Pairs;

/// <summary>
/// Writes <c>pairs.tables</c> (<see cref="PairTableFile"/>) front to back as the derive stage hands it rows: the entries
/// into the file, the top lists into a side file appended after them, then the row index and the trailer; the XxHash64
/// is taken on the way. Written under a temporary name and renamed once complete, so a killed build leaves no table file.
/// </summary>
internal sealed class PairTableWriter : IPairTableSink, IDisposable
{
    private readonly string _path, _temp, _topTemp;
    private readonly FileStream _main, _top;
    private readonly XxHash64 _hash = new();
    private bool _finished;

    public PairTableWriter(string path)
    {
        (_path, _temp, _topTemp) = (path, path + ".tmp", path + ".top.tmp");
        _main = new FileStream(_temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        _top = new FileStream(_topTemp, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 20);
    }

    private void Main(ReadOnlySpan<byte> bytes)
    {
        _hash.Append(bytes);
        _main.Write(bytes);
    }

    public void AppendRow(long row, ReadOnlySpan<int> entries, ReadOnlySpan<int> top)
    {
        Main(MemoryMarshal.AsBytes(entries));
        _top.Write(MemoryMarshal.AsBytes(top));
    }

    /// <summary>Appends the top lists, the index and the trailer, makes the file durable under its name; returns its hash.</summary>
    public ulong Finish(PairTables index)
    {
        long topOffset = _main.Position;
        _top.Position = 0;
        var buffer = new byte[1 << 20];
        int read;
        while ((read = _top.Read(buffer)) > 0) Main(buffer.AsSpan(0, read));
        PairTableFile.EmitIndex(Main, index, topOffset, _main.Position);
        _main.Flush(flushToDisk: true);
        _main.Dispose();
        _top.Dispose();
        File.Delete(_topTemp);
        File.Move(_temp, _path, overwrite: true);
        _finished = true;
        return _hash.GetCurrentHashAsUInt64();
    }

    public void Dispose()
    {
        _main.Dispose();
        _top.Dispose();
        if (_finished) return;
        File.Delete(_temp);
        File.Delete(_topTemp);
    }
}
