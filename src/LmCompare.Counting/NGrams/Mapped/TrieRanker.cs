using System.Numerics.Tensors;
using LmCompare.Core;

namespace LmCompare.Counting.NGrams.Mapped;

/// <summary>
/// Whole next-token distributions and exact top-k ranks read off <c>ngrams.trie</c> at a scorer's state, with the
/// arithmetic of <see cref="NGramScorer.Distribution"/> (log10; a word takes the probability stored with its longest
/// matched context plus the backoffs of the longer ones, summed in single precision in that order), so both give the same
/// values to the bit.
/// <para>
/// The rank of the target is the number of ids with a strictly higher probability. A word's value is its probability at
/// its own level (the longest context m it follows in the model) plus chain[m], the backoffs above m. A long run's
/// successors are read in order of decreasing probability (its ranked prefix in the rank section), so the level stops at
/// the first entry whose value cannot beat the target's: float addition is monotone, and every word left at that level
/// is no more probable. A run of at most the prefix's length, or one whose prefix all beats the target, is scanned whole
/// instead. Words found there that belong to a longer context are skipped (they are counted at their own level). The
/// count stops at the cap: top-5 accuracy needs to know only whether fewer than 5 ids beat the target.
/// </para>
/// </summary>
public sealed class TrieRanker(TrieNGramModel trie)
{
    private float[]? _unigram;

    private TrieNGramModel Trie => trie;

    /// <summary>log10 p of every id's unigram (ids without one score as &lt;unk&gt;, as the query does).</summary>
    public float[] Unigrams => _unigram ??= BuildUnigrams();

    private float[] BuildUnigrams()
    {
        var values = new float[trie.Vocabulary];
        float unk = trie.Unigram(SpecialTokens.UnknownId).Prob;
        if (float.IsNaN(unk)) unk = -99f;
        for (int w = 0; w < values.Length; w++)
        {
            float p = trie.Unigram(w).Prob;
            values[w] = float.IsNaN(p) ? unk : p;
        }
        return values;
    }

    /// <summary>log10 p(w | state) for every id w (as <see cref="NGramScorer.Distribution"/>).</summary>
    public void Distribution(ContextStateScorer state, Span<float> log10Probs)
    {
        var contexts = state.Contexts;
        var backoffs = state.Backoffs;
        float chain = 0f;
        foreach (float b in backoffs) chain += b;
        TensorPrimitives.Add(Unigrams.AsSpan(0, log10Probs.Length), chain, log10Probs);
        for (int m = 1; m <= contexts.Length; m++)
        {
            chain -= backoffs[m - 1];
            var (first, end) = trie.Successors(m, contexts[m - 1]);
            for (long i = first; i < end; i++)
            {
                var (word, prob) = trie.Entry(m + 1, i);
                if ((uint)word < (uint)log10Probs.Length) log10Probs[word] = prob + chain;
            }
        }
    }

    /// <summary>How many ids (never &lt;s&gt;) are strictly more probable than <paramref name="target"/> at the state: exact
    /// below <paramref name="cap"/>, else <paramref name="cap"/>.</summary>
    public int Rank(ContextStateScorer state, int target, int cap)
    {
        var contexts = state.Contexts;
        int length = contexts.Length;
        Span<float> chain = stackalloc float[length + 1];
        foreach (float b in state.Backoffs) chain[0] += b;
        for (int m = 1; m <= length; m++) chain[m] = chain[m - 1] - state.Backoffs[m - 1];
        var unigrams = Unigrams;
        float value = (uint)target < (uint)unigrams.Length ? unigrams[target] + chain[0] : float.NegativeInfinity;
        for (int m = 1; m <= length; m++) // no break: a later context overwrites, as in the whole distribution
            if (trie.Find(m + 1, target, contexts[m - 1], out float p, out _) >= 0) value = p + chain[m];
        var counter = new Counter(this, contexts, value, cap);
        for (int m = length; m >= 1; m--)
            if (counter.Run(m, chain[m])) return cap;
        return counter.Unigrams(chain[0]) ? cap : counter.Count;
    }

    /// <summary>The ids that beat the target counted level by level: a run through its ranked prefix while its records
    /// beat the target, else (a short run, or a prefix that ran out first) by scanning it whole. Both count the same ids.</summary>
    private ref struct Counter(TrieRanker ranker, ReadOnlySpan<long> contexts, float value, int cap)
    {
        private readonly ReadOnlySpan<long> _contexts = contexts;
        public int Count;

        /// <summary>Counts the successors of the state's m-word context; true once the cap is reached.</summary>
        public bool Run(int m, float chain)
        {
            var trie = ranker.Trie;
            var (first, end) = trie.Successors(m, _contexts[m - 1]);
            int before = Count;
            if (end - first > trie.RankPrefix)
            {
                long ranked = trie.RankedRun(m + 1, first);
                for (int r = 0; r < trie.RankPrefix; r++)
                {
                    long id = trie.ByRank(m + 1, ranked, first, r);
                    if (id >= end) throw new InputException("the trie file's rank section is out of range (the file is damaged); rebuild the model");
                    var (word, prob) = trie.Entry(m + 1, id);
                    if (!(prob + chain > value)) return false;
                    if (Beats(word, m) && ++Count >= cap) return true;
                }
                Count = before; // every ranked record beat the target: count the run whole
            }
            for (long id = first; id < end; id++)
            {
                var (word, prob) = trie.Entry(m + 1, id);
                if (prob + chain > value && Beats(word, m) && ++Count >= cap) return true;
            }
            return false;
        }

        /// <summary>Counts the words by unigram (those of no longer context); true once the cap is reached.</summary>
        public bool Unigrams(float chain)
        {
            var trie = ranker.Trie;
            var unigrams = ranker.Unigrams;
            int before = Count;
            for (int r = 0; r < trie.UnigramPrefix; r++)
            {
                int word = trie.UnigramByRank(r);
                if ((uint)word >= (uint)unigrams.Length)
                    throw new InputException("the trie file's unigram ranking is out of range (the file is damaged); rebuild the model");
                if (!(unigrams[word] + chain > value)) return false;
                if (Beats(word, 0) && ++Count >= cap) return true;
            }
            Count = before;
            for (int word = 0; word < unigrams.Length; word++)
                if (unigrams[word] + chain > value && Beats(word, 0) && ++Count >= cap) return true;
            return false;
        }

        /// <summary>Whether a word that beats the target at level m counts there: not &lt;s&gt;, and no longer context has it
        /// (it is counted at its own level).</summary>
        private readonly bool Beats(int word, int m) => word != SpecialTokens.SentenceStartId && !ranker.Longer(word, m, _contexts);
    }

    /// <summary>Whether <paramref name="word"/> follows a context longer than <paramref name="m"/> words of the state.</summary>
    private bool Longer(int word, int m, ReadOnlySpan<long> contexts)
    {
        for (int j = m + 1; j <= contexts.Length; j++)
            if (trie.Find(j + 1, word, contexts[j - 1], out _, out _) >= 0) return true;
        return false;
    }
}
