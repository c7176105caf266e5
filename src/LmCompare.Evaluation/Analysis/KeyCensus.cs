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
    private readonly ulong[] _keys;        // [0, _count): sorted, distinct
    private readonly int[] _firstSeen;     // [0, _count): token position of the first occurrence, per key
    private readonly int _count;
    private readonly int[] _starts;        // index of the first key of each top-bits bucket, then the count
    private readonly int _shift;           // key >> _shift is its bucket

    /// <summary>The first <paramref name="count"/> of each array (kept whole: a copy of the distinct part would double the
    /// memory of the largest kinds while both live).</summary>
    private KeyCensus(ulong[] keys, int[] firstSeen, int count)
    {
        (_keys, _firstSeen, _count) = (keys, firstSeen, count);
        _shift = Math.Max(0, KeySort.UsedBits(keys, count) - KeySort.BucketBits);
        _starts = new int[(1 << KeySort.BucketBits) + 1];
        for (int b = 0, i = 0; b < _starts.Length; b++)
        {
            while (i < count && (keys[i] >> _shift) < (ulong)b) i++;
            _starts[b] = i;
        }
    }

    public long Distinct => _count;

    /// <summary>A binary search within the key's top-bits bucket (about 1/2048 of the keys, so a few cache misses).</summary>
    public bool Contains(ulong key)
    {
        ulong bucket = key >> _shift;
        if (bucket >= (ulong)_starts.Length - 1) return false;
        int from = _starts[bucket];
        return Array.BinarySearch(_keys, from, _starts[bucket + 1] - from, key) >= 0;
    }

    /// <summary>The keys sorted (<see cref="KeySort"/>) and merged with the census's: one pass over both, each key's bucket
    /// start letting the pass skip ahead, instead of a binary search per key.</summary>
    public void ContainsAll(ReadOnlySpan<ulong> keys, Span<bool> found)
    {
        var sorted = keys.ToArray();
        var index = new int[sorted.Length];
        for (int i = 0; i < index.Length; i++) index[i] = i;
        KeySort.Sort(ref sorted, ref index, sorted.Length);
        int at = 0;
        for (int i = 0; i < sorted.Length; i++)
        {
            ulong key = sorted[i], bucket = key >> _shift;
            if (bucket >= (ulong)_starts.Length - 1) { found[index[i]] = false; continue; }
            at = Math.Max(at, _starts[bucket]);
            while (at < _count && _keys[at] < key) at++;
            found[index[i]] = at < _count && _keys[at] == key;
        }
    }

    /// <summary>Distinct keys whose first occurrence lies before token <paramref name="prefixTokens"/>.</summary>
    public long DistinctIn(long prefixTokens)
    {
        long n = 0;
        for (int i = 0; i < _count; i++) if (_firstSeen[i] < prefixTokens) n++;
        return n;
    }

    /// <summary>Builds the census from every key occurrence: keys[i] seen at token positions[i], positions increasing
    /// (consumed, reordered). A stable sort (<see cref="KeySort"/>) keeps each key's occurrences in position order, so a
    /// run's first position is the key's first occurrence.</summary>
    public static KeyCensus FromOccurrences(ulong[] keys, int[] positions, int count)
    {
        KeySort.Sort(ref keys, ref positions, count);
        int distinct = 0;
        for (int i = 0; i < count; i++)
        {
            if (distinct > 0 && keys[distinct - 1] == keys[i]) continue;
            keys[distinct] = keys[i];
            positions[distinct++] = positions[i];
        }
        return new KeyCensus(keys, positions, distinct);
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
