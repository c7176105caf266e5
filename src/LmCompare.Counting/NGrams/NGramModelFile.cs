using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using LmCompare.Core;

namespace LmCompare.Counting.NGrams;

/// <summary>
/// The n-gram model on disk, <c>ngrams.bin</c>: a header, then every order's <see cref="NGramRecord"/>s in index order,
/// which is <see cref="NGramRecord.SortKey()"/> order (24 bytes each: context index, word, Kneser-Ney count, log10 p,
/// log10 backoff), then the XxHash64 of everything before it. Written front to back as the estimate produces the records
/// (memory: one buffer), under a temporary name and renamed whole; a file whose length or checksum does not match its
/// header is refused on open.
/// </summary>
public static class NGramModelFile
{
    public const string FileName = "ngrams.bin";
    private static readonly byte[] Magic = "LMCNGRM1"u8.ToArray();
    public const int HeaderBytes = 8 + 4 + 4 + 8 * KneserNeySettings.MaxOrder;
    internal static readonly int RecordBytes = Marshal.SizeOf<NGramRecord>();

    /// <summary>
    /// Writes the records that <paramref name="batches"/> hold, in sequence (order by order, each order in
    /// <see cref="NGramRecord.SortKey()"/> order, as many per order as <paramref name="counts"/> says). A batch is written
    /// before the next is asked for, so a producer may hand the same buffer back each time. <paramref name="handoff"/>
    /// (<see cref="ModelFileOrders.Growing"/>) hands each order to a reader on another thread as soon as it is written.
    /// </summary>
    public static void Write(string path, long[] counts, IEnumerable<ReadOnlyMemory<NGramRecord>> batches, Action<long>? written,
        ModelFileOrders? handoff = null)
    {
        string temp = path + ".tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.Read, 1))
            {
                ulong checksum = WriteRecords(stream, counts, batches, total =>
                {
                    handoff?.Written(temp, total);
                    written?.Invoke(total);
                });
                handoff?.Complete(temp, checksum);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp); // a reader beside the writer keeps its handle; nothing half-written stays behind
            throw;
        }
    }

    /// <summary>Header, records (their sequence checked), trailer; returns the checksum.</summary>
    private static ulong WriteRecords(FileStream stream, long[] counts, IEnumerable<ReadOnlyMemory<NGramRecord>> batches, Action<long> written)
    {
        var hash = new XxHash64();
        var header = Header(counts);
        stream.Write(header);
        hash.Append(header);
        int order = 1;
        long total = 0, index = 0, previous = -1;
        foreach (var batch in batches)
        {
            foreach (var record in batch.Span)
            {
                while (order <= counts.Length && index == counts[order - 1]) (order, index, previous) = (order + 1, 0, -1);
                long sortKey = record.SortKey();
                if (order > counts.Length || sortKey <= previous)
                    throw new InvalidOperationException($"record {total} ({order}-gram {index}) is out of sequence");
                (previous, index, total) = (sortKey, index + 1, total + 1);
            }
            Flush(stream, hash, batch.Span);
            written(total);
        }
        if (total != counts.Sum()) throw new InvalidOperationException($"{total} records for {counts.Sum()} n-grams");
        Span<byte> trailer = stackalloc byte[8];
        ulong checksum = hash.GetCurrentHashAsUInt64();
        BinaryPrimitives.WriteUInt64LittleEndian(trailer, checksum);
        stream.Write(trailer);
        stream.Flush(flushToDisk: true);
        return checksum;
    }

    /// <summary>Records one at a time (the streaming estimate's), each with its key checked against its place, as the
    /// batches <see cref="Write"/> takes (one reused buffer).</summary>
    public static IEnumerable<ReadOnlyMemory<NGramRecord>> Batches(long[] counts, IEnumerable<(long Key, NGramRecord Record)> records)
    {
        var buffer = new NGramRecord[1 << 16];
        int filled = 0, order = 1;
        long index = 0, total = 0;
        foreach (var (key, record) in records)
        {
            while (order <= counts.Length && index == counts[order - 1]) (order, index) = (order + 1, 0);
            if (key != NGramRecord.Key(order, index++))
                throw new InvalidOperationException($"record {total} came with key {key:x}: the records are out of sequence");
            total++;
            buffer[filled++] = record;
            if (filled < buffer.Length) continue;
            yield return buffer;
            filled = 0;
        }
        if (filled > 0) yield return buffer.AsMemory(0, filled);
    }

    private static void Flush(FileStream stream, XxHash64 hash, ReadOnlySpan<NGramRecord> records)
    {
        var bytes = MemoryMarshal.AsBytes(records);
        stream.Write(bytes);
        hash.Append(bytes);
    }

    private static byte[] Header(long[] counts)
    {
        var header = new byte[HeaderBytes];
        Magic.CopyTo(header, 0);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), 2); // format version 2: each order sorted by (word, context)
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), counts.Length);
        for (int k = 0; k < counts.Length; k++) BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(16 + 8 * k), counts[k]);
        return header;
    }

    /// <summary>
    /// Reads every order's records, checking the header against <paramref name="counts"/> (the manifest's) and the checksum;
    /// <paramref name="onOrder"/> gets each order's records in index order.
    /// </summary>
    public static void Read(string path, long[] counts, Action<int, ReadOnlySpan<NGramRecord>> onOrder)
    {
        using var stream = OpenChecked(path, counts, out var hash);
        for (int k = 1; k <= counts.Length; k++)
        {
            if (counts[k - 1] * RecordBytes > int.MaxValue)
                throw new InputException($"{path}: {counts[k - 1]:N0} {k}-grams are too many to load as one table; lmc ngram eval scores the " +
                    "model from its file");
            var records = new NGramRecord[counts[k - 1]];
            ReadHashed(stream, hash, MemoryMarshal.AsBytes(records.AsSpan()));
            onOrder(k, records);
        }
        CheckTrailer(path, stream, hash);
    }

    /// <summary>Checks the file (header, length and the checksum: read through once, never whole in memory), then hands each
    /// order to <paramref name="onOrder"/> as a view that reads on demand (any size): it may copy it or sample it. The
    /// stage binary writers, which read a file the build has just written, take it through <see cref="ModelFileOrders"/>.</summary>
    public static void ReadOrders(string path, long[] counts, Action<int, OrderRecords> onOrder)
    {
        using (var stream = OpenChecked(path, counts, out var hash))
        {
            var buffer = new byte[1 << 20];
            for (long left = counts.Sum() * RecordBytes; left > 0; left -= buffer.Length)
                ReadHashed(stream, hash, buffer.AsSpan(0, (int)Math.Min(buffer.Length, left)));
            CheckTrailer(path, stream, hash);
        }
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        long offset = HeaderBytes;
        for (int k = 1; k <= counts.Length; k++)
        {
            onOrder(k, new OrderRecords(file, offset, counts[k - 1]));
            offset += counts[k - 1] * RecordBytes;
        }
    }

    /// <summary>The checksum a model file's trailer holds, its header and length checked against <paramref name="counts"/>
    /// (the checksum itself is not computed).</summary>
    internal static ulong CheckedTrailer(string path, long[] counts)
    {
        using var stream = OpenChecked(path, counts, out _);
        stream.Seek(-8, SeekOrigin.End);
        Span<byte> trailer = stackalloc byte[8];
        stream.ReadExactly(trailer);
        return BinaryPrimitives.ReadUInt64LittleEndian(trailer);
    }

    private static FileStream OpenChecked(string path, long[] counts, out XxHash64 hash)
    {
        if (!File.Exists(path)) throw new InputException($"{path}: the model file is missing; rebuild the model");
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        long expected = HeaderBytes + counts.Sum() * RecordBytes + 8;
        long length = stream.Length;
        if (length != expected)
        {
            stream.Dispose();
            throw new InputException($"{path}: the model file is truncated or damaged ({length:N0} bytes, expected {expected:N0}); " +
                "rebuild the model");
        }
        hash = new XxHash64();
        var header = new byte[HeaderBytes];
        stream.ReadExactly(header);
        hash.Append(header);
        if (!header.SequenceEqual(Header(counts)))
        {
            stream.Dispose();
            throw new InputException($"{path}: the model file does not match its manifest (magic, version or n-gram counts); rebuild the model");
        }
        return stream;
    }

    private static void ReadHashed(FileStream stream, XxHash64 hash, Span<byte> bytes)
    {
        for (int offset = 0; offset < bytes.Length; offset += 1 << 30)
        {
            var part = bytes.Slice(offset, Math.Min(1 << 30, bytes.Length - offset));
            stream.ReadExactly(part);
            hash.Append(part);
        }
    }

    private static void CheckTrailer(string path, FileStream stream, XxHash64 hash)
    {
        Span<byte> trailer = stackalloc byte[8];
        stream.ReadExactly(trailer);
        if (BinaryPrimitives.ReadUInt64LittleEndian(trailer) != hash.GetCurrentHashAsUInt64())
            throw new InputException($"{path}: the model file's checksum does not match (the file is damaged); rebuild the model");
    }
}

/// <summary>One order's records in a verified model file, read on demand (sequential access is cheap: the page cache);
/// with <c>waitWritten</c>, an order still being written (<see cref="ModelFileOrders.Streaming"/>), each read first waits
/// for its records.</summary>
public sealed class OrderRecords(Microsoft.Win32.SafeHandles.SafeFileHandle file, long offset, long count,
    Func<long, long>? waitWritten = null)
{
    private readonly NGramRecord[] _window = new NGramRecord[4096];
    private long _windowStart = -1;
    private long _written = waitWritten is null ? count : 0; // records known to be in the file (an order still being written)

    public long Length => count;

    public NGramRecord this[long index]
    {
        get
        {
            if (_windowStart < 0 || index < _windowStart || index >= _windowStart + _window.Length)
            {
                _windowStart = index;
                int n = (int)Math.Min(_window.Length, count - index);
                WaitWritten(index + n);
                ReadFully(file, MemoryMarshal.AsBytes(_window.AsSpan(0, n)), offset + index * Marshal.SizeOf<NGramRecord>());
            }
            return _window[index - _windowStart];
        }
    }

    /// <summary>Reads [<paramref name="first"/>, first + block.Length) into <paramref name="block"/> (a scan a block at a time).</summary>
    public void Read(long first, Span<NGramRecord> block)
    {
        WaitWritten(first + block.Length);
        ReadFully(file, MemoryMarshal.AsBytes(block), offset + first * Marshal.SizeOf<NGramRecord>());
    }

    /// <summary>Reads the order front to back into <paramref name="buffer"/>, a block at a time: yields each block's first
    /// index and length (the block is <c>buffer[..Length]</c> until the next one is read).</summary>
    public IEnumerable<(long First, int Length)> Blocks(NGramRecord[] buffer)
    {
        for (long first = 0; first < count; first += buffer.Length)
        {
            int n = (int)Math.Min(buffer.Length, count - first);
            Read(first, buffer.AsSpan(0, n));
            yield return (first, n);
        }
    }

    /// <summary>All of them as one array (an order small enough to cache).</summary>
    public NGramRecord[] ToArray()
    {
        var all = new NGramRecord[count];
        WaitWritten(count);
        ReadFully(file, MemoryMarshal.AsBytes(all.AsSpan()), offset);
        return all;
    }

    /// <summary>Returns once the first <paramref name="end"/> records are in the file (at once for a written order).</summary>
    private void WaitWritten(long end)
    {
        if (end > _written) _written = waitWritten!(end);
    }

    /// <summary>A positioned read of exactly <paramref name="bytes"/>' length (a read may return less than asked).</summary>
    public static void ReadFully(Microsoft.Win32.SafeHandles.SafeFileHandle file, Span<byte> bytes, long offset)
    {
        for (int done = 0; done < bytes.Length;)
        {
            int read = RandomAccess.Read(file, bytes[done..], offset + done);
            if (read == 0) throw new InputException("the model file ended early (it changed while being read)");
            done += read;
        }
    }
}
