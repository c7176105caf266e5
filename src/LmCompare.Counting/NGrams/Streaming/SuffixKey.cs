using System.Runtime.InteropServices;

namespace LmCompare.Counting.NGrams.Streaming;

/// <summary>
/// How the streaming estimate lays out an n-gram: its words reversed (key[0] is the last word, key[k-1] the first), so
/// that plain lexicographic order of the key is KenLM's <i>suffix order</i> (Heafield et al. 2013, section 3.1) and every
/// suffix of an n-gram is a prefix of its key: the n-grams that share a suffix are neighbours in a sorted stream. A
/// 64-bit count takes two ints after the key.
/// </summary>
public static class SuffixKey
{
    /// <summary>key[j] = words[k - 1 - j].</summary>
    public static void FromWords(ReadOnlySpan<int> words, Span<int> key)
    {
        for (int j = 0; j < words.Length; j++) key[j] = words[words.Length - 1 - j];
    }

    public static int[] FromWords(ReadOnlySpan<int> words)
    {
        var key = new int[words.Length];
        FromWords(words, key);
        return key;
    }

    public static long GetLong(ReadOnlySpan<int> record, int at) => MemoryMarshal.Read<long>(MemoryMarshal.AsBytes(record.Slice(at, 2)));

    public static void SetLong(Span<int> record, int at, long value) => MemoryMarshal.Write(MemoryMarshal.AsBytes(record.Slice(at, 2)), in value);

    public static float GetFloat(ReadOnlySpan<int> record, int at) => BitConverter.Int32BitsToSingle(record[at]);

    public static void SetFloat(Span<int> record, int at, float value) => record[at] = BitConverter.SingleToInt32Bits(value);

    /// <summary>Folds two count records of order k (key, raw count): the raw counts add up.</summary>
    public static RecordCombiner AddRaw(int k) => (into, other) => SetLong(into, k, GetLong(into, k) + GetLong(other, k));

    /// <summary>Folds two adjust records of order k (key, raw count, adjusted count): both add up.</summary>
    public static RecordCombiner AddRawAndAdjusted(int k) => (into, other) =>
    {
        SetLong(into, k, GetLong(into, k) + GetLong(other, k));
        SetLong(into, k + 2, GetLong(into, k + 2) + GetLong(other, k + 2));
    };
}
