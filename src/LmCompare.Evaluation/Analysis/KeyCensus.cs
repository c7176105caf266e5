using LmCompare.Core;

namespace LmCompare.Evaluation.Analysis;

/// <summary>
/// The distinct keys of one kind (n-grams of one order, or word pairs at one distance) in the training split, sorted,
/// with the token position where each first occurs, so the count of distinct keys in any prefix of the training data
/// is one pass (the growth curve). N-grams of order 3 and up are identified by a 64-bit hash (splitmix64 folded over
/// the words); with a few million keys the chance of any collision is below 1e-6. Orders 1-2 and pairs are exact.
/// </summary>
public sealed class KeyCensus : ITrainingKeys
{
    private readonly ulong[] _keys;        // sorted, distinct
    private readonly int[] _firstSeen;     // token position of the first occurrence, per key

    private KeyCensus(ulong[] keys, int[] firstSeen) { _keys = keys; _firstSeen = firstSeen; }

    public long Distinct => _keys.Length;

    public bool Contains(ulong key) => Array.BinarySearch(_keys, key) >= 0;

    /// <summary>Distinct keys whose first occurrence lies before token <paramref name="prefixTokens"/>.</summary>
    public long DistinctIn(long prefixTokens)
    {
        long n = 0;
        foreach (int first in _firstSeen) if (first < prefixTokens) n++;
        return n;
    }

    /// <summary>Builds the census from every key occurrence: keys[i] seen at token positions[i], positions increasing
    /// (consumed, reordered). A stable radix sort keeps each key's occurrences in position order, so a run's first
    /// position is the key's first occurrence.</summary>
    public static KeyCensus FromOccurrences(ulong[] keys, int[] positions, int count)
    {
        RadixSort(ref keys, ref positions, count);
        int distinct = 0;
        for (int i = 0; i < count; i++)
        {
            if (distinct > 0 && keys[distinct - 1] == keys[i]) continue;
            keys[distinct] = keys[i];
            positions[distinct++] = positions[i];
        }
        return new KeyCensus(keys[..distinct], positions[..distinct]);
    }

    /// <summary>LSD radix sort on the bits the keys use, at most 11 a pass; stable.</summary>
    private static void RadixSort(ref ulong[] keys, ref int[] positions, int count)
    {
        ulong used = 0;
        for (int i = 0; i < count; i++) used |= keys[i];
        int bits = 64 - (int)ulong.LeadingZeroCount(used);
        if (bits == 0 || count < 2) return;
        int passes = (bits + 10) / 11, width = (bits + passes - 1) / passes;
        ulong mask = (1UL << width) - 1;
        var (keyScratch, positionScratch) = (new ulong[count], new int[count]);
        var start = new int[1 << width];
        for (int shift = 0; shift < bits; shift += width)
        {
            Array.Clear(start);
            for (int i = 0; i < count; i++) start[(int)((keys[i] >> shift) & mask)]++;
            for (int d = 0, sum = 0; d < start.Length; d++) (start[d], sum) = (sum, sum + start[d]);
            for (int i = 0; i < count; i++)
            {
                int at = start[(int)((keys[i] >> shift) & mask)]++;
                keyScratch[at] = keys[i];
                positionScratch[at] = positions[i];
            }
            (keys, keyScratch) = (keyScratch, keys);
            (positions, positionScratch) = (positionScratch, positions);
        }
    }

    /// <summary>Key of an n-gram: the word itself for order 1, an exact pack for order 2, a 64-bit hash above.</summary>
    public static ulong NGramKey(ReadOnlySpan<int> words)
    {
        if (words.Length == 1) return (uint)words[0];
        if (words.Length == 2) return ((ulong)(uint)words[0] << 32) | (uint)words[1];
        ulong h = 0x9E3779B97F4A7C15UL ^ (ulong)words.Length;
        foreach (int w in words) h = Mix(h ^ (uint)w);
        return h;
    }

    /// <summary>Key of the pair (u, v) at a fixed distance: exact.</summary>
    public static ulong PairKey(int u, int v) => ((ulong)(uint)u << 32) | (uint)v;

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The key that ends at a token position (its first token lies far enough back in the document).</summary>
    public delegate ulong KeyAt(ReadOnlySpan<int> tokens, int position);

    /// <summary>The n-grams of one order within documents (never across one), as a census.</summary>
    public static KeyCensus OfNGrams(ReadOnlySpan<int> tokens, DocumentIndex documents, int order) =>
        Of(tokens, documents, order - 1, (t, i) => NGramKey(t.Slice(i - order + 1, order)));

    /// <summary>The pairs (u, v) with v exactly <paramref name="distance"/> tokens after u, within documents.</summary>
    public static KeyCensus OfPairs(ReadOnlySpan<int> tokens, DocumentIndex documents, int distance) =>
        Of(tokens, documents, distance, (t, i) => PairKey(t[i - distance], t[i]));

    /// <summary>Every key ending at a position at least <paramref name="firstOffset"/> tokens into its document.</summary>
    private static KeyCensus Of(ReadOnlySpan<int> tokens, DocumentIndex documents, int firstOffset, KeyAt keyAt)
    {
        var keys = new ulong[tokens.Length];
        var positions = new int[tokens.Length];
        int n = 0;
        for (int d = 0; d < documents.Documents; d++)
        {
            var (start, end) = documents[d];
            for (long i = start + firstOffset; i < end; i++)
            {
                keys[n] = keyAt(tokens, (int)i);
                positions[n++] = (int)i;
            }
        }
        return FromOccurrences(keys, positions, n);
    }
}
