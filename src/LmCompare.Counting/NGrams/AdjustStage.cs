using LmCompare.Core;
using LmCompare.Counting.Backends;

namespace LmCompare.Counting.NGrams;

/// <summary>
/// Stage <b>adjust</b>: lower orders get continuation counts, the number of distinct left extensions (&lt;s&gt;
/// included) of each n-gram; n-grams that start with &lt;s&gt; and the highest order keep their raw counts (Heafield et
/// al. 2013, section 3.2). Works on one partition: every suffix of an n-gram shares its last word.
/// </summary>
public static class AdjustStage
{
    private const int Bos = SpecialTokens.SentenceStartId, Unk = SpecialTokens.UnknownId;

    /// <summary>
    /// Adjusts the partition's raw tables in place and gives them their value arrays. Returns, per order k &gt;= 2, each
    /// n-gram's suffix index in order k-1 (index 0 unused).
    /// </summary>
    public static int[][] Run(NGramTable[] tables, LastWordPartition partition, int vocabularySize, bool wholeVocabulary)
    {
        int n = tables.Length;
        var suffix = new int[n][];
        for (int order = n - 1; order >= 1; order--) suffix[order] = AddSuffixes(tables[order], tables[order - 1]);
        foreach (var table in tables) SetKneserNeyCounts(table, highest: table.Order == n);
        foreach (int special in new[] { Unk, Bos }) // lmplz's vocabulary always has them
            if (partition.Contains(special)) tables[0].FindOrAdd([special], out _);
        if (wholeVocabulary)
            for (int id = 0; id < vocabularySize; id++)
                if (partition.Contains(id)) tables[0].FindOrAdd([id], out _);
        foreach (var table in tables) table.AllocateValues();
        return suffix;
    }

    /// <summary>
    /// Adds the (L)-suffix of every (L+1)-gram to the order below: raw counts add up; the adjusted count is the number
    /// of distinct n-grams a suffix ends (its distinct left extensions, &lt;s&gt; included). Returns each entry's suffix index.
    /// </summary>
    private static int[] AddSuffixes(NGramTable upper, NGramTable lower)
    {
        var suffix = new int[upper.Count];
        for (int i = 0; i < upper.Count; i++)
        {
            int index = lower.AddRaw(upper.Words(i)[1..], upper.Raw[i]);
            lower.Adjusted[index]++;
            suffix[i] = index;
        }
        return suffix;
    }

    /// <summary>The Kneser-Ney count is the raw count at the highest order and for n-grams that start with &lt;s&gt;.</summary>
    private static void SetKneserNeyCounts(NGramTable table, bool highest)
    {
        for (int i = 0; i < table.Count; i++)
            if (highest || table.Words(i)[0] == Bos) table.Adjusted[i] = table.Raw[i];
    }
}
