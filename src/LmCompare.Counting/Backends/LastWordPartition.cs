namespace LmCompare.Counting.Backends;

/// <summary>
/// A <b>partition</b> of a Kneser-Ney build (docs/ARCHITECTURE.md, glossary): the n-grams whose last word id is
/// <see cref="Index"/> modulo <see cref="Count"/>. Every suffix of an n-gram ends in the same word, so stages "adjust"
/// and "interpolate" need only the partition itself; a build that does not fit --memory runs one partition at a time.
/// </summary>
public readonly record struct LastWordPartition(int Index, int Count)
{
    /// <summary>The one partition of a build that fits its memory.</summary>
    public static readonly LastWordPartition All = new(0, 1);

    public static int Of(int word, int count) => word % count;

    public bool Contains(int word) => Count == 1 || word % Count == Index;

    /// <summary>The partition's n-grams among <paramref name="tables"/> (the same tables when there is one partition).</summary>
    public NGrams.NGramTable[] Select(NGrams.NGramTable[] tables)
    {
        if (Count == 1) return tables;
        var selected = new NGrams.NGramTable[tables.Length];
        for (int k = 0; k < tables.Length; k++)
        {
            var table = tables[k];
            var part = selected[k] = new NGrams.NGramTable(table.Order, Math.Max(16, table.Count / Count));
            for (int i = 0; i < table.Count; i++)
                if (Contains(table.Words(i)[^1])) part.AddRaw(table.Words(i), table.Raw[i]);
        }
        return selected;
    }
}
