using System.IO.Hashing;
using System.Security.Cryptography;

namespace LmCompare.Corpus.Sources;

/// <summary>A read-only pass-through stream that hashes (SHA-256) and counts the raw bytes of a file.</summary>
internal sealed class HashingReadStream(Stream inner) : ReadOnlyPassThroughStream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public override long BytesRead { get; protected set; }

    public string HashHex() => Convert.ToHexStringLower(_hash.GetHashAndReset());


    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        _hash.AppendData(buffer[..n]);
        BytesRead += n;
        return n;
    }


    protected override void Dispose(bool disposing)
    {
        if (disposing) { inner.Dispose(); _hash.Dispose(); }
        base.Dispose(disposing);
    }
}

/// <summary>
/// Watches the decoded (decompressed) bytes: refuses NUL bytes, which only binary files contain, and keeps the
/// length and CRC-32 that a gzip trailer must match.
/// </summary>
internal sealed class ContentCheckStream(Stream inner, string displayPath) : ReadOnlyPassThroughStream
{
    private readonly Crc32 _crc = new();

    public override long BytesRead { get; protected set; }

    public uint Crc => _crc.GetCurrentHashAsUInt32();


    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        var chunk = buffer[..n];
        int nul = chunk.IndexOf((byte)0);
        if (nul >= 0)
            throw new LmCompare.Core.InputException($"{displayPath}: looks binary (NUL byte at offset {BytesRead + nul}); only UTF-8 text is read");
        _crc.Append(chunk);
        BytesRead += n;
        return n;
    }


    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>The parts of a forward-only, read-only stream that every wrapper here shares.</summary>
internal abstract class ReadOnlyPassThroughStream : Stream
{
    public abstract long BytesRead { get; protected set; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
