using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using LmCompare.Core;

namespace LmCompare.Counting.NGrams.Mapped;

/// <summary>
/// Writes <c>ngrams.probing</c> (<see cref="ProbingFormat"/>) from a model's <c>ngrams.bin</c>, order by order: each
/// record's context index becomes the slot its context took one order below, so the key names the n-gram exactly. One
/// order's table is built in memory, with the slots of the order below and of this order (4 bytes per n-gram each).
/// Written under a temporary name and renamed whole.
/// </summary>
internal static class ProbingWriter
{
    public static void Write(string source, long[] counts, int vocabulary, string target)
    {
        int n = counts.Length;
        string temp = target + ".tmp";
        var hash = new XxHash64();
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            var header = ProbingFormat.Header(counts, vocabulary, SourceChecksum(source));
            Append(stream, hash, header);
            int[] below = [];
            NGramModelFile.ReadOrders(source, counts, (k, records) =>
            {
                if (records.Length > int.MaxValue / 2)
                    throw new InputException($"{source}: {records.Length:N0} {k}-grams are more than the probing format's tables hold in memory");
                below = k == 1 ? Unigrams(stream, hash, records, vocabulary, source) : Order(stream, hash, records, below, k == n);
                Pad(stream, hash);
            });
            Span<byte> trailer = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(trailer, hash.GetCurrentHashAsUInt64());
            stream.Write(trailer);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, target, overwrite: true);
    }

    /// <summary>The checksum in <c>ngrams.bin</c>'s trailer: a probing file names the build it was made from.</summary>
    public static ulong SourceChecksum(string source)
    {
        using var file = File.OpenHandle(source);
        Span<byte> trailer = stackalloc byte[8];
        OrderRecords.ReadFully(file, trailer, RandomAccess.GetLength(file) - 8);
        return BinaryPrimitives.ReadUInt64LittleEndian(trailer);
    }

    /// <summary>Unigrams by word id; returns each unigram record's slot (its word id).</summary>
    private static int[] Unigrams(FileStream stream, XxHash64 hash, OrderRecords records, int vocabulary, string source)
    {
        var table = new UnigramEntry[vocabulary];
        table.AsSpan().Fill(new UnigramEntry(float.NaN, 0f));
        var slots = new int[records.Length];
        for (long i = 0; i < records.Length; i++)
        {
            var record = records[i];
            if ((uint)record.Word >= (uint)vocabulary)
                throw new InputException($"{source}: unigram {i} has word id {record.Word}, outside the vocabulary");
            table[record.Word] = new UnigramEntry(record.Prob, record.Backoff);
            slots[i] = record.Word;
        }
        Append(stream, hash, MemoryMarshal.AsBytes(table.AsSpan()));
        return slots;
    }

    /// <summary>One higher order: inserts every record by linear probing; returns the slot each one took.</summary>
    private static int[] Order(FileStream stream, XxHash64 hash, OrderRecords records, int[] below, bool top)
    {
        long slots = ProbingFormat.Slots(records.Length);
        var keys = new ulong[slots];
        keys.AsSpan().Fill(ProbingFormat.Empty);
        var prob = new float[slots];
        var backoff = top ? [] : new float[slots];
        var taken = new int[records.Length];
        for (long i = 0; i < records.Length; i++)
        {
            var record = records[i];
            ulong key = ProbingFormat.Key(record.Word, below[record.Context]);
            long slot = ProbingFormat.Home(key, slots);
            while (keys[slot] != ProbingFormat.Empty) slot = slot + 1 == slots ? 0 : slot + 1;
            keys[slot] = key;
            prob[slot] = record.Prob;
            if (!top) backoff[slot] = record.Backoff;
            taken[i] = (int)slot;
        }
        if (top) WriteEntries(stream, hash, slots, s => new TopEntry(keys[s], prob[s]));
        else WriteEntries(stream, hash, slots, s => new MiddleEntry(keys[s], prob[s], backoff[s]));
        return taken;
    }

    private static void WriteEntries<T>(FileStream stream, XxHash64 hash, long slots, Func<long, T> entry) where T : unmanaged
    {
        var buffer = new T[1 << 16];
        for (long start = 0; start < slots; start += buffer.Length)
        {
            int n = (int)Math.Min(buffer.Length, slots - start);
            for (int j = 0; j < n; j++) buffer[j] = entry(start + j);
            Append(stream, hash, MemoryMarshal.AsBytes(buffer.AsSpan(0, n)));
        }
    }

    private static void Pad(FileStream stream, XxHash64 hash)
    {
        int pad = (int)((8 - stream.Position % 8) % 8);
        if (pad > 0) Append(stream, hash, new byte[pad]);
    }

    private static void Append(FileStream stream, XxHash64 hash, ReadOnlySpan<byte> bytes)
    {
        stream.Write(bytes);
        hash.Append(bytes);
    }
}
