using LmCompare.Core;

namespace LmCompare.Counting.Pairs;

/// <summary>
/// Stage "derive": from the counts sorted by key (rows (u, d) come out contiguous, successors ascending), derives in one
/// pass the row totals, the count-of-counts n1/n2 per distance, the top-K successors (step 3) and the continuation counts.
/// </summary>
public static class PairTableBuilder
{
    public static PairTables Derive(long[] keys, long[] counts, int vocabularySize, PairModelSettings settings)
    {
        int n = settings.Distances, topK = settings.TopK;
        long rows = (long)vocabularySize * n;
        var rowStart = new long[rows + 1];
        var rowTotal = new long[rows];
        var successors = new int[keys.Length];
        var pairCounts = new int[keys.Length];
        var continuation = new int[vocabularySize];
        var singletons = new long[n];
        var doubletons = new long[n];
        for (int i = 0; i < keys.Length; i++)
        {
            long key = keys[i], count = counts[i];
            if (count > int.MaxValue) throw new InputException($"a pair count of {count} exceeds the table format's 2^31 - 1");
            int d = PairKey.D(key), v = PairKey.V(key);
            long row = PairKey.Row(key, n);
            if (PairKey.U(key) >= vocabularySize || v >= vocabularySize || d > n)
                throw new InputException($"the count store holds a pair outside the vocabulary or the distances (key {key}): it belongs to another " +
                    $"build");
            rowStart[row + 1]++;
            rowTotal[row] += count;
            successors[i] = v;
            pairCounts[i] = (int)count;
            if (count == 1) singletons[d - 1]++;
            else if (count == 2) doubletons[d - 1]++;
            if (d == 1) continuation[v]++;
        }
        for (long r = 0; r < rows; r++) rowStart[r + 1] += rowStart[r];
        var tables = new PairTables
        {
            VocabularySize = vocabularySize, Distances = n, TopK = topK, RowStart = rowStart, Successors = successors, Counts = pairCounts,
            RowTotal = rowTotal, Top = TopLists(rowStart, successors, pairCounts, topK), Continuation = continuation,
            Singletons = singletons, Doubletons = doubletons,
        };
        return tables;
    }

    /// <summary>Per row the K most frequent successors, ties broken by the smaller id (so the lists are reproducible).</summary>
    private static int[] TopLists(long[] rowStart, int[] successors, int[] counts, int k)
    {
        long rows = rowStart.LongLength - 1;
        var top = new int[rows * k];
        Array.Fill(top, -1);
        var order = new List<int>();
        for (long r = 0; r < rows; r++)
        {
            int start = (int)rowStart[r], length = (int)(rowStart[r + 1] - start);
            if (length == 0) continue;
            order.Clear();
            for (int i = 0; i < length; i++) order.Add(start + i);
            order.Sort((a, b) => counts[a] != counts[b] ? counts[b].CompareTo(counts[a]) : successors[a].CompareTo(successors[b]));
            for (int i = 0; i < Math.Min(k, length); i++) top[r * k + i] = successors[order[i]];
        }
        return top;
    }
}
