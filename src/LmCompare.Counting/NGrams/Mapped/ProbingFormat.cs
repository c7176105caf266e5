using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LmCompare.Counting.NGrams.Mapped;

/// <summary>
/// <c>ngrams.probing</c>, the n-gram model laid out to be scored in place (after KenLM's <c>probing</c> structure,
/// lm/search_hashed.hh): unigrams as an array indexed by word id, then one linear-probing hash table per higher order,
/// 1.5 slots per n-gram (KenLM's default multiplier), then the XxHash3 (64-bit) of everything before. An n-gram's key is exact,
/// not a hash of its words: (last word, slot of its context in the order below), so two n-grams can never share a key
/// and scoring walks the orders as KenLM's state does, carrying the context's slot. Records: (key, log10 p, log10
/// backoff), 16 bytes; the top order has no backoff, 12 bytes. Little-endian, sections 8-byte aligned.
/// </summary>
internal static class ProbingFormat
{
    public const string FileName = "ngrams.probing";
    public static ReadOnlySpan<byte> Magic => "LMCPROB1"u8;
    public const int Version = 2; // 2: the trailer is XxHash3, not XxHash64
    /// <summary>Magic, version, order, vocabulary size, 4 spare, the source file's checksum, then per order (up to
    /// <see cref="KneserNeySettings.MaxOrder"/>): n-grams, slots, byte offset.</summary>
    public const int HeaderBytes = 32 + 24 * KneserNeySettings.MaxOrder;
    public const ulong Empty = ulong.MaxValue; // no word id reaches 2^32 - 1

    public static ulong Key(int word, int contextSlot) => ((ulong)(uint)word << 32) | (uint)contextSlot;

    /// <summary>Slots for <paramref name="count"/> n-grams: 1.5 per n-gram and always one empty, which ends every probe.</summary>
    public static long Slots(long count) => Math.Max(count + 1, count + (count + 1) / 2);

    /// <summary>The home slot of a key: SplitMix64's finaliser, then Lemire's multiply-shift into [0, slots).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Home(ulong key, long slots)
    {
        ulong z = (key ^ (key >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (long)Math.BigMul(z, (ulong)slots, out _);
    }

    public static int EntryBytes(int order, int maxOrder) =>
        order == 1 ? Unsafe.SizeOf<UnigramEntry>() : order == maxOrder ? Unsafe.SizeOf<TopEntry>() : Unsafe.SizeOf<MiddleEntry>();

    /// <summary>The layout of a model with these n-gram counts: per order its slots and byte offset, and the file length
    /// (trailer included).</summary>
    public static (long[] Slots, long[] Offsets, long Length) Layout(long[] counts, int vocabulary)
    {
        int n = counts.Length;
        var slots = new long[n];
        var offsets = new long[n];
        long offset = HeaderBytes;
        for (int k = 1; k <= n; k++)
        {
            slots[k - 1] = k == 1 ? vocabulary : Slots(counts[k - 1]);
            offsets[k - 1] = offset;
            offset += slots[k - 1] * EntryBytes(k, n);
            offset = (offset + 7) & ~7L;
        }
        return (slots, offsets, offset + 8);
    }

    public static byte[] Header(long[] counts, int vocabulary, ulong sourceChecksum)
    {
        var (slots, offsets, _) = Layout(counts, vocabulary);
        var header = new byte[HeaderBytes];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), Version);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), counts.Length);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(16), vocabulary);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(24), sourceChecksum);
        for (int k = 0; k < counts.Length; k++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(32 + 24 * k), counts[k]);
            BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(40 + 24 * k), slots[k]);
            BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(48 + 24 * k), offsets[k]);
        }
        return header;
    }
}

/// <summary>A unigram: log10 p and log10 backoff; NaN probability for an id with no unigram.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
public readonly record struct UnigramEntry(float Prob, float Backoff);

/// <summary>An n-gram of a middle order: exact key, log10 p, log10 backoff.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal readonly record struct MiddleEntry(ulong Key, float Prob, float Backoff);

/// <summary>An n-gram of the top order: exact key and log10 p.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal readonly record struct TopEntry(ulong Key, float Prob);
