using LmCompare.Core;

namespace LmCompare.Counting.NGrams;

/// <summary>
/// For every n-gram that can be a context, the n-grams one order up that extend it (compressed rows), and every
/// vocabulary id's unigram log10 probability. With them a whole next-token distribution costs O(V + successors of
/// the context chain) instead of V lookups per order, which is what top-k accuracy over a test set needs.
/// </summary>
public sealed class NGramSuccessors
{
    private readonly int[][] _rowStart;
        // per order k >= 2: successors of context c of order k-1 are _entries[k][_rowStart[k][c].._rowStart[k][c+1]]
    private readonly int[][] _entries;

    public NGramSuccessors(NGramModelData data, int vocabularySize)
    {
        var tables = data.Tables;
        _rowStart = new int[tables.Length][];
        _entries = new int[tables.Length][];
        for (int k = 2; k <= tables.Length; k++)
        {
            var contexts = data.ContextsOf(k);
            var start = new int[tables[k - 2].Count + 1];
            foreach (int c in contexts) if (c >= 0) start[c + 1]++;
            for (int c = 0; c < start.Length - 1; c++) start[c + 1] += start[c];
            var fill = start[..^1].ToArray();
            var entries = new int[start[^1]];
            for (int i = 0; i < contexts.Length; i++) if (contexts[i] >= 0) entries[fill[contexts[i]]++] = i;
            _rowStart[k - 1] = start;
            _entries[k - 1] = entries;
        }
        Unigram = new float[vocabularySize];
        int unk = tables[0].Find([SpecialTokens.UnknownId]);
        float unkProb = unk < 0 ? -99f : tables[0].Prob[unk];
        for (int w = 0; w < vocabularySize; w++)
        {
            int index = tables[0].Find([w]);
            Unigram[w] = index < 0 ? unkProb : tables[0].Prob[index]; // scored as <unk>, as the query does
        }
    }

    /// <summary>log10 p(w) of every id (ids missing from the unigrams get &lt;unk&gt;'s).</summary>
    public float[] Unigram { get; }

    /// <summary>Entry indexes (in the table of order <paramref name="order"/>) of the n-grams whose context is entry <paramref name="context"/> of
    /// the order below.</summary>
    public ReadOnlySpan<int> Of(int order, int context)
    {
        var start = _rowStart[order - 1];
        return _entries[order - 1].AsSpan(start[context], start[context + 1] - start[context]);
    }
}
