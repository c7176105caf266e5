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

    /// <summary>Builds the census from every key occurrence: keys[i] seen at token positions[i] (consumed, reordered).</summary>
    public static KeyCensus FromOccurrences(ulong[] keys, int[] positions, int count)
    {
        Array.Sort(keys, positions, 0, count);
        var distinct = new List<ulong>();
        var first = new List<int>();
        for (int i = 0; i < count; i++)
        {
            if (distinct.Count > 0 && distinct[^1] == keys[i]) { first[^1] = Math.Min(first[^1], positions[i]); continue; }
            distinct.Add(keys[i]);
            first.Add(positions[i]);
        }
        return new KeyCensus([.. distinct], [.. first]);
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
