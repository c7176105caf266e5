using System.Runtime.InteropServices;

namespace LmCompare.Counting.NGrams.Streaming;

/// <summary>
/// The streams between the stages of the streaming estimate: files of fixed-width records of int32 (little-endian, as
/// the machine writes them; the files never leave the build), read and written through large buffers. A record starts
/// with its sort key (see <see cref="SuffixKey"/>); 64-bit counts take two ints, floats one.
/// </summary>
public sealed class RecordWriter : IDisposable
{
    private readonly FileStream _stream;
    private readonly int[] _buffer;
    private int _used;
    private bool _closed;

    public RecordWriter(string path, int stride, int bufferInts = 1 << 18)
    {
        Stride = stride;
        _stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1);
        _buffer = new int[Math.Max(stride, bufferInts / stride * stride)];
    }

    public int Stride { get; }
    public long Records { get; private set; }

    /// <summary>A record's slot in the buffer, to fill before the next call.</summary>
    public Span<int> Next()
    {
        if (_used == _buffer.Length) Flush();
        var slot = _buffer.AsSpan(_used, Stride);
        _used += Stride;
        Records++;
        return slot;
    }

    public void Write(ReadOnlySpan<int> record) => record.CopyTo(Next());

    /// <summary>Many records at once (their length a multiple of the stride).</summary>
    public void WriteMany(ReadOnlySpan<int> records)
    {
        Flush();
        _stream.Write(MemoryMarshal.AsBytes(records));
        Records += records.Length / Stride;
    }

    private void Flush()
    {
        _stream.Write(MemoryMarshal.AsBytes(_buffer.AsSpan(0, _used)));
        _used = 0;
    }

    /// <summary>Writes what is buffered and closes the file (once; later calls do nothing).</summary>
    public void Dispose()
    {
        if (_closed) return;
        _closed = true;
        Flush();
        _stream.Dispose();
    }
}

/// <summary>Reads a record file front to back; <see cref="Current"/> stays valid until the next <see cref="MoveNext"/>.</summary>
public sealed class RecordReader : IRecordSource
{
    private readonly FileStream? _stream;
    private readonly int[] _buffer;
    private int _filled, _position = -1;

    public RecordReader(string path, int stride, int bufferInts = 1 << 16)
    {
        Stride = stride;
        _buffer = new int[Math.Max(stride, bufferInts / stride * stride)];
        if (!File.Exists(path)) { Records = 0; return; }
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        long bytes = _stream.Length;
        if (bytes % (4L * stride) != 0) throw new InvalidDataException($"{path}: {bytes} bytes is not a whole number of {stride}-int records");
        Records = bytes / (4L * stride);
    }

    public int Stride { get; }
    public long Records { get; }

    /// <summary>The record <see cref="MoveNext"/> reached.</summary>
    public ReadOnlySpan<int> Current => _buffer.AsSpan(_position, Stride);

    public bool MoveNext()
    {
        _position = _position < 0 ? 0 : _position + Stride;
        if (_position < _filled) return true;
        if (_stream is null) return false;
        _filled = 0;
        _position = 0;
        var bytes = MemoryMarshal.AsBytes(_buffer.AsSpan());
        int filledBytes = 0;
        while (filledBytes < bytes.Length)
        {
            int read = _stream.Read(bytes[filledBytes..]);
            if (read == 0) break;
            filledBytes += read;
        }
        _filled = filledBytes / 4; // whole records: the file is a whole number of them and the buffer holds whole ones
        return _filled > 0;
    }

    /// <summary>Up to <paramref name="destination"/>'s length in whole records; returns the ints read.</summary>
    public int ReadMany(Span<int> destination)
    {
        int total = 0;
        while (total + Stride <= destination.Length && MoveNext())
        {
            int available = Math.Min(_filled - _position, (destination.Length - total) / Stride * Stride);
            _buffer.AsSpan(_position, available).CopyTo(destination[total..]);
            total += available;
            _position += available - Stride;
        }
        return total;
    }

    public void Dispose() => _stream?.Dispose();
}
