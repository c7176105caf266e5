namespace LmCompare.Counting.Stores;

/// <summary>Settings of the embedded FASTER count store, with documented defaults.</summary>
public sealed record FasterStoreSettings
{
    /// <summary>Folder holding the hybrid log (<c>hlog.log.*</c>) and <c>checkpoints/</c>.</summary>
    public required string Directory { get; init; }

    /// <summary>
    /// Hash index buckets, a power of two; each bucket is 64 bytes and holds 7 keys before overflowing. The index is
    /// always in RAM and written whole at every checkpoint. Default 2^20 (64 MB, ~7M keys without overflow).
    /// </summary>
    public long IndexBuckets { get; init; } = 1L << 20;

    /// <summary>Bytes of the log kept in memory; older records spill to the log file. Default 256 MB.</summary>
    public long LogMemoryBytes { get; init; } = 256L << 20;

    /// <summary>Log page size as a power of two. Default 22 (4 MB pages).</summary>
    public int PageSizeBits { get; init; } = 22;

    /// <summary>Share of the in-memory log that is updated in place. Default 0.9.</summary>
    public double MutableFraction { get; init; } = 0.9;

    /// <summary>Concurrent sessions used for large batches. Default: the number of cores, at most 4.</summary>
    public int Threads { get; init; } = Math.Clamp(Environment.ProcessorCount, 1, 4);

    /// <summary>Index buckets for about <paramref name="expectedKeys"/> keys: a power of two, about 4 keys per bucket.</summary>
    public static long BucketsFor(long expectedKeys) =>
        (long)System.Numerics.BitOperations.RoundUpToPowerOf2((ulong)Math.Clamp(expectedKeys / 4, 1L << 12, 1L << 28));
}
