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
    private readonly long _rows;
    private readonly int _topK;
    private readonly int[] _empty;
    private long _nextRow;
    private bool _finished;

    public PairTableWriter(string path, long rows, int topK)
    {
        (_path, _temp, _topTemp, _rows, _topK) = (path, path + ".tmp", path + ".top.tmp", rows, topK);
        _main = new FileStream(_temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        _top = new FileStream(_topTemp, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 20);
        _empty = new int[topK * 1024];
        Array.Fill(_empty, -1);
    }

    private void Main(ReadOnlySpan<byte> bytes)
    {
        _hash.Append(bytes);
        _main.Write(bytes);
    }

    public void AppendRow(long row, ReadOnlySpan<int> entries, ReadOnlySpan<int> top)
    {
        Main(MemoryMarshal.AsBytes(entries));
        EmptyRowsUntil(row);
        _top.Write(MemoryMarshal.AsBytes(top[.._topK]));
        _nextRow = row + 1;
    }

    private void EmptyRowsUntil(long row)
    {
        while (_nextRow < row)
        {
            int n = (int)Math.Min(row - _nextRow, _empty.Length / _topK);
            _top.Write(MemoryMarshal.AsBytes(_empty.AsSpan(0, n * _topK)));
            _nextRow += n;
        }
    }

    /// <summary>Appends the top lists, the index and the trailer, makes the file durable under its name; returns its hash.</summary>
    public ulong Finish(PairTables index)
    {
        EmptyRowsUntil(_rows);
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
