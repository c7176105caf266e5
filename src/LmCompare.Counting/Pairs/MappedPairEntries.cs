using LmCompare.Core;
using LmCompare.Counting.NGrams.Mapped;

namespace LmCompare.Counting.Pairs;

/// <summary>
/// The entries and top lists of a tables file read in place: the file is mapped, a row is a span of the mapping (no copy,
/// no read call), and only the pages that lookups touch come in (from the page cache, shared by every process that scores
/// the model). The whole-file checksum runs in the background from open; <see cref="EnsureIntact"/> waits for it.
/// </summary>
public sealed class MappedPairEntries : PairEntries
{
    private readonly MappedFile _file;
    private readonly long _topOffset;
    private readonly int _topK;
    private readonly string _path;
    private readonly Task<bool> _verification;

    internal MappedPairEntries(MappedFile file, long topOffset, int topK, string path, ulong expectedHash)
    {
        (_file, _topOffset, _topK, _path) = (file, topOffset, topK, path);
        _verification = Task.Run(() => Verify(expectedHash));
    }

    public override int CountOf(long row, long start, int length, int v) => Search(Ints(start * Stride, length * Stride), v);

    public override PairRow Row(long row, long start, int length) => new(Ints(start * Stride, length * Stride));

    public override PairRow TopAt(long slot) => new(Ints(_topOffset / sizeof(int) + slot * _topK * Stride, _topK * Stride));

    /// <summary>The first probe of the row's binary search, and the list's cache lines (a short row's first lines).</summary>
    public override void Prefetch(long start, int length, int topSlot)
    {
        const int Line = 64;
        long entryBytes = Stride * sizeof(int);
        _file.Prefetch((start + ((length - 1) >> 1)) * entryBytes);
        long list = topSlot >= 0 ? _topOffset + topSlot * _topK * entryBytes : start * entryBytes;
        long listBytes = (topSlot >= 0 ? _topK : length) * entryBytes;
        for (long at = list & ~(Line - 1); at < list + listBytes; at += Line) _file.Prefetch(at);
    }

    private ReadOnlySpan<int> Ints(long first, int count) =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(_file.Bytes(first * sizeof(int), count * sizeof(int)));

    /// <summary>Waits for the checksum started at open; throws when the file does not match the manifest's hash.</summary>
    public override void EnsureIntact()
    {
        if (!_verification.GetAwaiter().GetResult())
            throw new InputException($"{_path}: pair tables are corrupt (checksum does not match the manifest); rebuild the model");
    }

    private bool Verify(ulong expected)
    {
        return _file.HashByReading(_file.Length, new System.IO.Hashing.XxHash64()) == expected;
    }

    public override void Dispose()
    {
        ((IAsyncResult)_verification).AsyncWaitHandle.WaitOne(); // the hash reads the mapping: unmap only after it
        _file.Dispose();
        base.Dispose();
    }
}
