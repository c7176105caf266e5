using System.Buffers;
using System.IO.Compression;
using LmCompare.Core;

namespace LmCompare.Corpus.Sources;

/// <summary>
/// Reads a .txt or .gz document as blocks of raw UTF-8 bytes that each end just after a line break ('\n' or '\r'), so
/// the blocks can be decoded and tokenised independently and in parallel: no line and no UTF-8 sequence spans two
/// blocks (a "\r\n" cut between its two bytes only adds a blank line, which normalisation drops). The checks of
/// <see cref="DocumentReader"/> apply: SHA-256 of the stored file, NUL bytes refused as binary, a gzip file's trailer
/// checked, every failure an <see cref="InputException"/> naming the file.
/// </summary>
internal sealed class LineBlockReader : IDisposable
{
    private readonly SourceDocument _document;
    private readonly HashingReadStream _hashing;
    private readonly ContentCheckStream _content;
    private readonly int _blockBytes;
    private byte[] _buffer;
    private int _carry, _target;
    private bool _ended;

    public LineBlockReader(SourceDocument document, int blockBytes)
    {
        _document = document;
        _blockBytes = blockBytes;
        _target = blockBytes;
        _buffer = ArrayPool<byte>.Shared.Rent(blockBytes);
        try
        {
            var file = new FileStream(document.FullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            _hashing = new HashingReadStream(file);
            Stream decoded = document.IsGzip ? new GZipStream(_hashing, CompressionMode.Decompress, leaveOpen: true) : _hashing;
            _content = new ContentCheckStream(decoded, document.DisplayPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            throw new InputException($"{document.DisplayPath}: cannot read ({e.Message})", e);
        }
    }

    /// <summary>
    /// The next block (rented from <see cref="ArrayPool{T}.Shared"/>: the caller returns it) and its length, or false at
    /// the end of the document.
    /// </summary>
    public bool TryRead(out byte[] block, out int length)
    {
        try
        {
            return TryReadCore(out block, out length);
        }
        catch (InvalidDataException e)
        {
            throw new InputException($"{_document.DisplayPath}: corrupt gzip data ({e.Message})", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{_document.DisplayPath}: cannot read ({e.Message})", e);
        }
    }

    private bool TryReadCore(out byte[] block, out int length)
    {
        while (true)
        {
            while (!_ended && _carry < _target)
            {
                int read = _content.Read(_buffer.AsSpan(_carry, _target - _carry));
                if (read == 0) _ended = true;
                _carry += read;
            }
            int cut = _ended ? _carry : LastLineBreak(_buffer.AsSpan(0, _carry)) + 1;
            if (cut > 0) return Hand(cut, out block, out length);
            if (_ended) { block = []; length = 0; return false; }
            Enlarge(); // a line longer than the block: read on until it ends
        }
    }

    /// <summary>Hands the first <paramref name="cut"/> bytes over and keeps the rest for the next block.</summary>
    private bool Hand(int cut, out byte[] block, out int length)
    {
        block = _buffer;
        length = cut;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(_blockBytes, _carry - cut));
        block.AsSpan(cut, _carry - cut).CopyTo(_buffer);
        _carry -= cut;
        _target = Math.Max(_blockBytes, _carry);
        return true;
    }

    private static int LastLineBreak(ReadOnlySpan<byte> bytes) => bytes.LastIndexOfAny((byte)'\n', (byte)'\r');

    private void Enlarge()
    {
        var bigger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
        _buffer.AsSpan(0, _carry).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
        _target = Math.Min(bigger.Length, _target * 2);
    }

    /// <summary>After the last block: drains the file so the hash covers all of it, checks a gzip trailer, returns what was read.</summary>
    public DocumentReadResult Finish(long invalidUtf8)
    {
        try
        {
            Span<byte> sink = stackalloc byte[4096];
            while (_hashing.Read(sink) > 0) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{_document.DisplayPath}: cannot read ({e.Message})", e);
        }
        if (_document.IsGzip) DocumentReader.CheckTrailer(_document, _content);
        return new DocumentReadResult(_hashing.HashHex(), _hashing.BytesRead, _content.BytesRead, invalidUtf8);
    }

    public void Dispose()
    {
        _content.Dispose();
        _hashing.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
    }
}
