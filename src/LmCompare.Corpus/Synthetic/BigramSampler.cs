using LmCompare.Core;

namespace LmCompare.Corpus.Synthetic;

/// <summary>
/// The bigram distribution of a token stream, P(next | previous) = c(previous, next) / c(previous), as one alias table
/// per previous token (Walker 1977; Vose 1991, "A linear algorithm for generating random numbers with a given
/// distribution"), so a draw is one slot and one coin whatever the row's length. The coin has 32 bits: each
/// probability is exact to 2^-32. A sentence starts after <c>&lt;/s&gt;</c>, so the row of <c>&lt;/s&gt;</c> holds the
/// sentence-initial words. Memory: 12 bytes per distinct bigram plus 4 per token type (28 and 8 per source token while
/// it is built).
/// </summary>
public sealed class BigramSampler
{
    private readonly int[] _rowStart; // (V + 1): where each previous token's slots start
    private readonly Slot[] _slots;   // (distinct bigrams): a draw reads one slot, one cache line

    /// <param name="Successor">The slot's own successor.</param>
    /// <param name="Alias">The successor drawn when the coin is at or above the threshold.</param>
    /// <param name="Threshold">P(keep the slot's own successor) × 2^32.</param>
    private readonly record struct Slot(int Successor, int Alias, uint Threshold);

    private BigramSampler(int[] rowStart, Slot[] slots) => (_rowStart, _slots) = (rowStart, slots);

    public long DistinctBigrams => _slots.Length;

    /// <summary>The bigrams of <paramref name="tokens"/> (a split as written: <c>&lt;/s&gt;</c> ends every line), the
    /// first token following <c>&lt;/s&gt;</c>; ids below <paramref name="vocabularySize"/>.</summary>
    public static BigramSampler FromTokens(ReadOnlySpan<int> tokens, int vocabularySize)
    {
        if (tokens.IsEmpty) throw new InputException("the source corpus has no training tokens to sample from");
        var keys = new long[tokens.Length];
        int previous = SpecialTokens.SentenceEndId;
        for (int i = 0; i < tokens.Length; i++)
        {
            keys[i] = (long)previous << 32 | (uint)tokens[i];
            previous = tokens[i];
        }
        Array.Sort(keys);
        int distinct = 1;
        for (int i = 1; i < keys.Length; i++) if (keys[i] != keys[i - 1]) distinct++;
        var rowStart = new int[vocabularySize + 1];
        var successor = new int[distinct];
        var counts = new long[distinct];
        int j = -1;
        for (int i = 0; i < keys.Length; i++)
        {
            if (i == 0 || keys[i] != keys[i - 1])
            {
                successor[++j] = (int)(keys[i] & 0xFFFFFFFF);
                rowStart[(int)(keys[i] >> 32) + 1] = j + 1; // rows are filled in order: the row ends after j so far
            }
            counts[j]++;
        }
        for (int v = 1; v <= vocabularySize; v++) rowStart[v] = Math.Max(rowStart[v], rowStart[v - 1]); // empty rows
        var alias = new int[distinct];
        var threshold = new uint[distinct];
        var work = new AliasWork();
        for (int v = 0; v < vocabularySize; v++)
            if (rowStart[v + 1] > rowStart[v]) work.Build(rowStart[v], rowStart[v + 1], successor, counts, alias, threshold);
        var slots = new Slot[distinct];
        for (int k = 0; k < distinct; k++) slots[k] = new Slot(successor[k], alias[k], threshold[k]);
        return new BigramSampler(rowStart, slots);
    }

    /// <summary>A successor of <paramref name="previous"/> drawn by its bigram count; <c>&lt;/s&gt;</c> when the token was
    /// never followed by anything (the source's last token, or a type it never had), so a new sentence begins.</summary>
    public int Next(int previous, ref SplitMix64 random)
    {
        int start = _rowStart[previous], n = _rowStart[previous + 1] - start;
        if (n == 0) return SpecialTokens.SentenceEndId;
        ulong r = random.Next();
        ref readonly var slot = ref _slots[start + (int)(((r >> 32) * (ulong)n) >> 32)]; // high 32 bits: the slot; low 32: the coin
        return (uint)r < slot.Threshold ? slot.Successor : slot.Alias;
    }

    /// <summary>Vose's construction on integer weights (count × row length against the row total), so no slot is lost to
    /// rounding; the stacks are reused from row to row.</summary>
    private sealed class AliasWork
    {
        private long[] _weight = new long[16];
        private int[] _small = new int[16], _large = new int[16];

        public void Build(long start, long end, int[] successor, long[] counts, int[] alias, uint[] threshold)
        {
            int n = (int)(end - start);
            if (_weight.Length < n) (_weight, _small, _large) = (new long[n], new int[n], new int[n]);
            long total = 0;
            for (int k = 0; k < n; k++) total += counts[start + k];
            int smalls = 0, larges = 0;
            for (int k = 0; k < n; k++)
            {
                _weight[k] = counts[start + k] * n; // the slot's probability × n, in units of 1 / total
                if (_weight[k] < total) _small[smalls++] = k;
                else _large[larges++] = k;
            }
            while (smalls > 0 && larges > 0)
            {
                int less = _small[--smalls], more = _large[--larges];
                threshold[start + less] = (uint)((UInt128)_weight[less] * (1UL << 32) / (ulong)total);
                alias[start + less] = successor[start + more];
                _weight[more] -= total - _weight[less];
                if (_weight[more] < total) _small[smalls++] = more;
                else _large[larges++] = more;
            }
            // What is left has weight exactly total (integer arithmetic): the slot keeps its own successor either way.
            while (larges > 0) Keep(start + _large[--larges], successor, alias, threshold);
            while (smalls > 0) Keep(start + _small[--smalls], successor, alias, threshold);
        }

        private static void Keep(long slot, int[] successor, int[] alias, uint[] threshold)
        {
            threshold[slot] = uint.MaxValue;
            alias[slot] = successor[slot];
        }
    }
}
