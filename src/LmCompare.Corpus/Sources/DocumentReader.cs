using System.IO.Compression;
using System.Text;
using LmCompare.Core;

namespace LmCompare.Corpus.Sources;

/// <summary>What reading one document found out about the file.</summary>
/// <param name="Sha256">Lower-case hex SHA-256 of the file as stored (compressed for .gz).</param>
/// <param name="FileBytes">Bytes of the file as stored.</param>
/// <param name="TextBytes">Bytes of the (decompressed) UTF-8 text.</param>
/// <param name="InvalidUtf8">Invalid UTF-8 sequences, each replaced with U+FFFD.</param>
public sealed record DocumentReadResult(string Sha256, long FileBytes, long TextBytes, long InvalidUtf8);

/// <summary>
/// Reads a .txt or .gz document line by line as UTF-8 (invalid sequences replaced and counted), refusing binary
/// files and truncated or corrupt gzip files with an <see cref="InputException"/> that names the file.
/// </summary>
public static class DocumentReader
{
    /// <summary>Calls <paramref name="onLine"/> for every line (without its line break; a leading BOM removed).</summary>
    public static DocumentReadResult ReadLines(SourceDocument document, Action<string> onLine)
    {
        try
        {
            return ReadLinesCore(document, onLine);
        }
        catch (InvalidDataException e)
        {
            throw new InputException($"{document.DisplayPath}: corrupt gzip data ({e.Message})", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{document.DisplayPath}: cannot read ({e.Message})", e);
        }
    }

    private static DocumentReadResult ReadLinesCore(SourceDocument document, Action<string> onLine)
    {
        var fallback = new CountingDecoderFallback();
        var encoding = new UTF8Encoding(false, false);
        encoding = (UTF8Encoding)encoding.Clone();
        encoding.DecoderFallback = fallback;

        var file = new FileStream(document.FullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var hashing = new HashingReadStream(file);
        Stream decoded = document.IsGzip ? new GZipStream(hashing, CompressionMode.Decompress, leaveOpen: true) : hashing;
        using var content = new ContentCheckStream(decoded, document.DisplayPath);
        using (var reader = new StreamReader(content, encoding, detectEncodingFromByteOrderMarks: false, 1 << 16, leaveOpen: true))
        {
            bool first = true;
            while (reader.ReadLine() is { } line)
            {
                if (first && line.Length > 0 && line[0] == '\uFEFF') line = line[1..];
                first = false;
                onLine(line);
            }
        }
        // Drain what the decompressor did not need, so the hash covers the whole file.
        Span<byte> sink = stackalloc byte[4096];
        while (hashing.Read(sink) > 0) { }
        if (document.IsGzip) CheckTrailer(document, content);
        return new DocumentReadResult(hashing.HashHex(), hashing.BytesRead, content.BytesRead, fallback.Replacements);
    }

    internal static void CheckTrailer(SourceDocument document, ContentCheckStream content)
    {
        var trailer = GzipTrailer.TryRead(document.FullPath);
        if (trailer is null)
            throw new InputException($"{document.DisplayPath}: truncated gzip file (shorter than a gzip header and trailer)");
        if (trailer.Value.LengthMod32 != (uint)content.BytesRead || trailer.Value.Crc32 != content.Crc)
            throw new InputException($"{document.DisplayPath}: truncated or corrupt gzip file (data does not match the trailer's length and CRC; "
                + "multi-member gzip files are not supported, recompress with gzip)");
    }

    /// <summary>The uncompressed size of a document as far as it can be known without reading it (for planning splits).</summary>
    public static long SizeHint(SourceDocument document)
    {
        try
        {
            if (!document.IsGzip) return new FileInfo(document.FullPath).Length;
            return GzipTrailer.TryRead(document.FullPath)?.LengthMod32 ?? 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{document.DisplayPath}: cannot read ({e.Message})", e);
        }
    }
}
