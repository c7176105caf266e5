namespace LmCompare.Counting.NGrams;

/// <summary>
/// The n-grams of one order: words in a flat array (stride = order) with per-entry counts and model values, indexed
/// by an open-addressing hash table that compares the words themselves (no hash collision can merge two n-grams).
/// The hash runs over the words from the last to the first, so a query can extend a match one context word at a time.
/// A slot holds the entry and the low 32 bits of its hash: a probe compares words only when those bits match (one cache
/// miss per probe instead of two), and growing the table rehashes nothing (the slot is those bits under the new mask).
/// </summary>
public sealed class NGramTable
{
    private int[] _words;
    private ulong[] _slots = []; // (low 32 bits of the hash) << 32 | (entry index + 1); 0 = empty
    private int _mask;

    public NGramTable(int order, int capacity = 1024)
    {
        Order = order;
        _words = new int[Math.Max(1, capacity) * order];
        Raw = new long[Math.Max(1, capacity)];
        Adjusted = new long[Raw.Length];
        Resize(SlotsFor(capacity));
    }

    public int Order { get; }
    public int Count { get; private set; }
    /// <summary>Occurrences (sum over the padded N-grams this n-gram ends).</summary>
    public long[] Raw { get; private set; }
    /// <summary>Kneser-Ney count: distinct left extensions, or the raw count for n-grams that start with &lt;s&gt; and the top order.</summary>
    public long[] Adjusted { get; private set; }
    /// <summary>log10 p, filled by the estimator or an ARPA file.</summary>
    public float[] Prob { get; private set; } = [];
    /// <summary>log10 backoff (0 when the n-gram is not a context).</summary>
    public float[] Backoff { get; private set; } = [];

    public ReadOnlySpan<int> Words(int index) => _words.AsSpan(index * Order, Order);

    /// <summary>Hash of words[..n] taken from the last word backwards (see <see cref="Extend"/>).</summary>
    public static ulong HashOf(ReadOnlySpan<int> words)
    {
        ulong h = Seed;
        for (int i = words.Length - 1; i >= 0; i--) h = Extend(h, words[i]);
        return h;
    }

    public const ulong Seed = 0x9E3779B97F4A7C15UL;

    /// <summary>Adds one more (earlier) word to a hash.</summary>
    public static ulong Extend(ulong hash, int word)
    {
        ulong z = hash ^ ((uint)word * 0xBF58476D1CE4E5B9UL);
        z = (z ^ (z >> 31)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 29);
    }

    /// <summary>Index of the n-gram, or -1.</summary>
    public int Find(ReadOnlySpan<int> words, ulong hash)
    {
        uint tag = (uint)hash;
        int slot = (int)(tag & (uint)_mask);
        while (true)
        {
            ulong held = _slots[slot];
            if (held == 0) return -1;
            int entry = (int)(uint)held - 1;
            if ((uint)(held >> 32) == tag && _words.AsSpan(entry * Order, Order).SequenceEqual(words)) return entry;
            slot = (slot + 1) & _mask;
        }
    }

    public int Find(ReadOnlySpan<int> words) => Find(words, HashOf(words));

    /// <summary>
    /// The index in this table of each of <paramref name="longer"/>'s n-grams [<paramref name="from"/>,
    /// <paramref name="to"/>) without its last word (its context), or -1, into <paramref name="index"/>. Lookups go in
    /// groups of 16: every first slot of a group is read, then every entry those slots name, before any lookup
    /// compares words, so the group's cache misses overlap instead of following one another (each is a load the
    /// processor issues without waiting for the one before).
    /// </summary>
    public void FindContexts(NGramTable longer, int from, int to, int[] index)
    {
        const int Group = 16;
        Span<ulong> hashes = stackalloc ulong[Group], held = stackalloc ulong[Group];
        int touched = 0;
        for (int start = from; start < to; start += Group)
        {
            int n = Math.Min(Group, to - start);
            for (int j = 0; j < n; j++)
            {
                hashes[j] = HashOf(longer.Words(start + j)[..^1]);
                held[j] = _slots[(int)((uint)hashes[j] & (uint)_mask)];
            }
            for (int j = 0; j < n; j++)
                if (held[j] != 0) touched += _words[((int)(uint)held[j] - 1) * Order];
            for (int j = 0; j < n; j++) index[start + j] = Find(longer.Words(start + j)[..^1], hashes[j]);
        }
        _touched = touched; // kept, so the loads that bring the entries in are not optimised away
    }

    private int _touched;

    /// <summary>Index of the n-gram, adding it (with zero counts) when absent.</summary>
    public int FindOrAdd(ReadOnlySpan<int> words, ulong hash, out bool added)
    {
        uint tag = (uint)hash;
        int slot = (int)(tag & (uint)_mask);
        while (true)
        {
            ulong held = _slots[slot];
            if (held == 0) break;
            int entry = (int)(uint)held - 1;
            if ((uint)(held >> 32) == tag && _words.AsSpan(entry * Order, Order).SequenceEqual(words)) { added = false; return entry; }
            slot = (slot + 1) & _mask;
        }
        added = true;
        if (Count == Raw.Length) GrowEntries();
        int index = Count++;
        words.CopyTo(_words.AsSpan(index * Order, Order));
        _slots[slot] = ((ulong)tag << 32) | (uint)(index + 1);
        if (Count * 2 > _slots.Length) Resize(_slots.Length * 2);
        return index;
    }

    public int FindOrAdd(ReadOnlySpan<int> words, out bool added) => FindOrAdd(words, HashOf(words), out added);

    /// <summary>Adds <paramref name="count"/> to the raw count of <paramref name="words"/> (entered if new); returns its index.</summary>
    public int AddRaw(ReadOnlySpan<int> words, long count)
    {
        int index = FindOrAdd(words, out _); // before reading Raw: adding may grow it
        Raw[index] += count;
        return index;
    }

    /// <summary>Adds <paramref name="other"/>'s raw counts to this table's (n-grams counted in another chunk).</summary>
    public void AddRawCounts(NGramTable other)
    {
        for (int i = 0; i < other.Count; i++) AddRaw(other.Words(i), other.Raw[i]);
    }

    /// <summary>Allocates the probability and backoff arrays (after counting).</summary>
    public void AllocateValues()
    {
        Prob = new float[Count];
        Backoff = new float[Count];
    }

    private void GrowEntries()
    {
        int n = Raw.Length * 2;
        Array.Resize(ref _words, n * Order);
        var raw = Raw; Array.Resize(ref raw, n); Raw = raw;
        var adjusted = Adjusted; Array.Resize(ref adjusted, n); Adjusted = adjusted;
    }

    private static int SlotsFor(int entries) => (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, entries * 2));

    /// <summary>A table of <paramref name="slots"/> slots (a power of two, at most 2^31: the tag holds 32 hash bits) holding
    /// the same entries: each slot's tag gives its new home, no words are read.</summary>
    private void Resize(int slots)
    {
        var old = _slots;
        _slots = new ulong[slots];
        _mask = slots - 1;
        foreach (ulong held in old)
        {
            if (held == 0) continue;
            int slot = (int)((uint)(held >> 32) & (uint)_mask);
            while (_slots[slot] != 0) slot = (slot + 1) & _mask;
            _slots[slot] = held;
        }
    }
}
