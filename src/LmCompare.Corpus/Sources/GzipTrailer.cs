using System.Buffers.Binary;

namespace LmCompare.Corpus.Sources;

/// <summary>
/// The last 8 bytes of a gzip member: CRC-32 and length mod 2^32 of the uncompressed data (RFC 1952, 2.3.1).
/// .NET's GZipStream returns a truncated file's prefix without complaint, so every .gz file is checked
/// against its trailer after it is read.
/// </summary>
public readonly record struct GzipTrailer(uint Crc32, uint LengthMod32)
{
    /// <summary>Smallest possible gzip file: 10-byte header, an empty deflate block (2 bytes) and the trailer.</summary>
    public const int MinimumFileLength = 20;

    public static GzipTrailer? TryRead(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (stream.Length < MinimumFileLength) return null;
        Span<byte> tail = stackalloc byte[8];
        stream.Seek(-8, SeekOrigin.End);
        stream.ReadExactly(tail);
        return new GzipTrailer(BinaryPrimitives.ReadUInt32LittleEndian(tail), BinaryPrimitives.ReadUInt32LittleEndian(tail[4..]));
    }
}
