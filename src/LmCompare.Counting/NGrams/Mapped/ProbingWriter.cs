using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using LmCompare.Core;

namespace LmCompare.Counting.NGrams.Mapped;

/// <summary>
/// Writes <c>ngrams.probing</c> (<see cref="ProbingFormat"/>) from the <c>ngrams.bin</c> the build has just written
/// (its header and length are checked, its checksum is not read again), order by order, within a memory budget. Each
/// record's context index becomes the slot its context took one order below, so the key names the n-gram exactly. The
/// table of an order is the one linear probing gives when the keys are inserted in order of (home slot, index in
/// <c>ngrams.bin</c>): then a key's slot is max(its home, the slot after the previous key's), so the slots are written
/// front to back, and an order too large for the budget is written in bands of home slots, one pass over its records
/// per band (<see cref="OrderWriter"/>). The bytes depend on the model only, never on the budget. Written under a
/// temporary name and renamed whole.
/// </summary>
internal static class ProbingWriter
{
    /// <summary>Band size below which bands are not made smaller (a budget under the slot arrays still gets this much).</summary>
    public const long MinimumBandBytes = 64L << 20;

    /// <summary>Writes the file; returns whether any order had keys wrap past its last slot (the tests look for both cases).</summary>
    /// <param name="memoryBytes">What the writer may hold: the slots of two orders (4 bytes per n-gram) and one band of
    /// sorted keys (28 bytes per n-gram), the band no smaller than <paramref name="minimumBandBytes"/>.</param>
    public static bool Write(string source, long[] counts, int vocabulary, string target, long memoryBytes = 1L << 30,
        long minimumBandBytes = MinimumBandBytes)
    {
        int n = counts.Length;
        string temp = target + ".tmp";
        bool wrapped = false;
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 20))
        {
            using var orders = ModelFileOrders.Finished(source, counts);
            var output = new HashedOutput(stream);
            output.Append(ProbingFormat.Header(counts, vocabulary, orders.Checksum()));
            int[] below = [];
            var band = new OrderWriter.Band();
            var (slots, offsets, length) = ProbingFormat.Layout(counts, vocabulary);
            for (int k = 1; k <= n; k++)
            {
                var records = orders.Order(k);
                if (records.Length > int.MaxValue / 2)
                    throw new InputException($"{source}: {records.Length:N0} {k}-grams are more than the probing format's slots can number (2^30)");
                if (k == 1) below = Unigrams(output, records, vocabulary, source);
                else
                {
                    long bandBytes = Math.Max(minimumBandBytes, memoryBytes - 4L * (below.Length + records.Length));
                    var order = new OrderWriter(records, below, slots[k - 1], top: k == n, band);
                    below = order.Write(output, bandBytes);
                    wrapped |= order.PlaceWrapped(stream, offsets[k - 1]);
                }
                output.Pad();
            }
            ulong checksum = wrapped ? HashedOutput.Rehash(stream, length - 8) : output.Hash.GetCurrentHashAsUInt64();
            Span<byte> trailer = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(trailer, checksum);
            stream.Seek(length - 8, SeekOrigin.Begin);
            stream.Write(trailer);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, target, overwrite: true);
        return wrapped;
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
    private static int[] Unigrams(HashedOutput output, OrderRecords records, int vocabulary, string source)
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
        output.Append(MemoryMarshal.AsBytes(table.AsSpan()));
        return slots;
    }
}

/// <summary>The file being written and the XxHash3 (64-bit) of everything appended to it: the n-gram files' trailer, which
/// every open checks beside the scoring (XxHash3 reads debian-docs' 773 MB probing file in 0.11 s where XxHash64 took
/// 0.20 s, eval/RESULTS.md).</summary>
internal sealed class HashedOutput(FileStream stream, bool hash = true)
{
    public XxHash3 Hash { get; } = new();

    public void Append(ReadOnlySpan<byte> bytes)
    {
        stream.Write(bytes);
        if (hash) Hash.Append(bytes);
    }

    /// <summary>Zeros up to the next multiple of 8 bytes (sections are 8-byte aligned).</summary>
    public void Pad()
    {
        int pad = (int)((8 - stream.Position % 8) % 8);
        if (pad > 0) Append(new byte[pad]);
    }

    /// <summary>The checksum of the file's first <paramref name="length"/> bytes, read back (when parts of it were patched
    /// or written out of order: wrapped probing slots, the trie's header).</summary>
    internal static ulong Rehash(FileStream stream, long length)
    {
        stream.Flush();
        var hash = new XxHash3();
        var buffer = new byte[1 << 20];
        for (long at = 0; at < length; at += buffer.Length)
        {
            int n = (int)Math.Min(buffer.Length, length - at);
            OrderRecords.ReadFully(stream.SafeFileHandle, buffer.AsSpan(0, n), at);
            hash.Append(buffer.AsSpan(0, n));
        }
        return hash.GetCurrentHashAsUInt64();
    }
}
