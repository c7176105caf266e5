using System.IO.Hashing;
using System.IO.MemoryMappedFiles;
using System.Runtime.CompilerServices;

namespace LmCompare.Counting.NGrams.Mapped;

/// <summary>
/// A whole file mapped read-only: the one class that holds the raw pointer, so the formats that read records in place
/// (<see cref="ProbingNGramModel"/>) see only typed <c>ref readonly</c> accesses at byte offsets. Opening maps the file
/// without reading it; pages come in from the page cache (or the disk) as lookups touch them.
/// </summary>
internal sealed unsafe class MappedFile : IDisposable
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _start;

    private readonly string _path;

    public MappedFile(string path)
    {
        _path = path;
        Length = new FileInfo(path).Length;
        if (Length == 0) throw new Core.InputException($"{path}: the file is empty (truncated); rebuild the model");
        _map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        _view = _map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _start = pointer + _view.PointerOffset;
    }

    public long Length { get; }

    /// <summary>The <typeparamref name="T"/> at byte <paramref name="offset"/> (the caller keeps it within the file).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref readonly T At<T>(long offset) where T : unmanaged => ref Unsafe.AsRef<T>(_start + offset);

    /// <summary>The <paramref name="width"/> bits (at most 57) at bit <paramref name="bit"/> of the section at byte
    /// <paramref name="offset"/>, least significant first (<see cref="BitWriter"/>); the section keeps 8 bytes spare.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Bits(long offset, long bit, int width) =>
        (Unsafe.ReadUnaligned<ulong>(_start + offset + (bit >> 3)) >> (int)(bit & 7)) & ((1UL << width) - 1);

    /// <summary>Asks the processor to bring the cache line at byte <paramref name="offset"/> in (a hint; it reads nothing).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(long offset)
    {
        if (System.Runtime.Intrinsics.X86.Sse.IsSupported) System.Runtime.Intrinsics.X86.Sse.Prefetch0(_start + offset);
    }

    /// <summary>Asks the processor to bring in the cache line of <paramref name="array"/>[<paramref name="index"/>] (a hint;
    /// an index outside the array is ignored). For row indexes held in managed arrays beside a mapped file.</summary>
    public static void Prefetch<T>(T[] array, long index) where T : unmanaged
    {
        if (!System.Runtime.Intrinsics.X86.Sse.IsSupported || (ulong)index >= (ulong)array.LongLength) return;
        fixed (T* element = &array[index]) System.Runtime.Intrinsics.X86.Sse.Prefetch0(element);
    }

    /// <summary>
    /// The 64-bit <paramref name="hash"/> (XxHash3 for the n-gram files' trailer, XxHash64 for the pair tables', kept in
    /// their manifest) of bytes [0, <paramref name="length"/>), read through the file rather than the mapping: the pages a whole-file checksum
    /// reads then stay in the page cache instead of the process's resident set, which holds only what the lookups touch
    /// (measured on debian-docs: a checksum through the mapping made every byte of the model resident).
    /// </summary>
    public ulong HashByReading(long length, NonCryptographicHashAlgorithm hash)
    {
        var buffer = new byte[1 << 22];
        using var file = File.OpenHandle(_path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        for (long at = 0; at < length;)
        {
            int read = RandomAccess.Read(file, buffer.AsSpan(0, (int)Math.Min(buffer.Length, length - at)), at);
            if (read == 0) throw new Core.InputException($"{_path}: the file ended while it was checked (truncated); rebuild the model");
            hash.Append(buffer.AsSpan(0, read));
            at += read;
        }
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(hash.GetCurrentHash()); // both write their hash big-endian
    }

    /// <summary>Bytes [offset, offset + length) as a span (length below 2^31).</summary>
    public ReadOnlySpan<byte> Bytes(long offset, int length) => new(_start + offset, length);

    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }
}
