using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace LmCompare.Core;

/// <summary>
/// A split's token ids on disk: little-endian int32, nothing else (so <c>numpy.fromfile(dtype='&lt;i4')</c> reads it).
/// </summary>
public static class TokenFile
{
    /// <summary>Number of ids in the file; a length that is not a multiple of 4 means the file is truncated.</summary>
    public static long CountTokens(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new InputException($"{path}: token file not found");
        if (info.Length % sizeof(int) != 0) throw new InputException($"{path}: truncated token file ({info.Length} bytes is not a multiple of 4)");
        return info.Length / sizeof(int);
    }

    /// <summary>Reads every id; ids outside [0, vocabularySize) are an <see cref="InputException"/>.</summary>
    public static int[] ReadAll(string path, int vocabularySize)
    {
        long count = CountTokens(path);
        if (count > Array.MaxLength) throw new InputException($"{path}: {count} tokens do not fit in one array");
        var ids = new int[count];
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
            stream.ReadExactly(MemoryMarshal.AsBytes(ids.AsSpan()));
        if (!BitConverter.IsLittleEndian) BinaryPrimitives.ReverseEndianness(ids, ids);
        for (long i = 0; i < ids.Length; i++)
            if ((uint)ids[i] >= (uint)vocabularySize)
                throw new InputException($"{path}: id {ids[i]} at position {i} is outside the vocabulary of {vocabularySize}");
        return ids;
    }
}

/// <summary>
/// A split's ids read range by range from its file, never whole: what a count over a corpus larger than memory reads.
/// Ids outside [0, vocabularySize) are an <see cref="InputException"/>, as in <see cref="TokenFile.ReadAll"/>.
/// </summary>
public sealed class TokenFileRanges(string path, int vocabularySize)
{
    public long Length { get; } = TokenFile.CountTokens(path);

    /// <summary>Ids [<paramref name="from"/>, <paramref name="to"/>) into <paramref name="buffer"/> (grown when too small).</summary>
    public ReadOnlySpan<int> Read(long from, long to, ref int[] buffer)
    {
        int count = checked((int)(to - from));
        if (buffer.Length < count) buffer = new int[count];
        var span = buffer.AsSpan(0, count);
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1))
        {
            stream.Position = from * sizeof(int);
            stream.ReadExactly(MemoryMarshal.AsBytes(span));
        }
        if (!BitConverter.IsLittleEndian) BinaryPrimitives.ReverseEndianness(span, span);
        for (int i = 0; i < span.Length; i++)
            if ((uint)span[i] >= (uint)vocabularySize)
                throw new InputException($"{path}: id {span[i]} at position {from + i} is outside the vocabulary of {vocabularySize}");
        return span;
    }
}

/// <summary>Appends int32 ids to a file through a buffer.</summary>
public sealed class TokenFileWriter : IDisposable
{
    private readonly FileStream _stream;
    private readonly int[] _buffer = new int[1 << 16];
    private int _used;

    public TokenFileWriter(string path)
    {
        _stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
    }

    public long Written { get; private set; }

    public void Write(int id)
    {
        if (_used == _buffer.Length) FlushBuffer();
        _buffer[_used++] = id;
        Written++;
    }

    public void Write(ReadOnlySpan<int> ids)
    {
        foreach (int id in ids) Write(id);
    }

    private void FlushBuffer()
    {
        var span = _buffer.AsSpan(0, _used);
        if (!BitConverter.IsLittleEndian) BinaryPrimitives.ReverseEndianness(span, span);
        _stream.Write(MemoryMarshal.AsBytes(span));
        _used = 0;
    }

    /// <summary>Writes what is buffered and forces it to disk.</summary>
    public void Complete()
    {
        FlushBuffer();
        _stream.Flush(flushToDisk: true);
    }

    public void Dispose() => _stream.Dispose();
}
