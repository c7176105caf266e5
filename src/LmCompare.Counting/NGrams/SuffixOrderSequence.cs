namespace LmCompare.Counting.NGrams;

/// <summary>
/// An estimate held whole (<see cref="NGramModelData"/>) in the model file's sequence: each order's n-grams by (last word,
/// context index), the context's index being its own position in that order one down. That is the suffix order the
/// streaming estimate writes in (an n-gram's suffix order is its last word, then its context's), so a model file is the
/// same bytes whichever way it was estimated, and each order is sorted for lookup.
/// <para>
/// Per order: the keys (one random read of the context's position each) on every core, a counting sort by last word
/// (one pass: the word range is the vocabulary), each word's run sorted by context index on every core (runs are short:
/// n log(run), not n log n), then the records gathered a batch at a time on every core. The sort by a general comparison
/// of the whole order was half of stage store.
/// </para>
/// </summary>
internal static class SuffixOrderSequence
{
    private const int BatchRecords = 1 << 18; // 6 MB of records: the writer's unit, gathered in parallel pieces

    public static IEnumerable<ReadOnlyMemory<NGramRecord>> Batches(NGramModelData data)
    {
        var buffer = new NGramRecord[BatchRecords];
        int[] position = []; // table index -> file index, of the order below
        for (int k = 1; k <= data.Order; k++)
        {
            var table = data.Tables[k - 1];
            var (keys, order) = Sort(table, k == 1 ? null : data.ContextsOf(k), position);
            position = Inverse(order);
            for (int first = 0; first < order.Length; first += BatchRecords)
            {
                int n = Math.Min(BatchRecords, order.Length - first);
                Gather(table, keys, order, first, buffer, n);
                yield return buffer.AsMemory(0, n);
            }
        }
    }

    /// <summary>The order's keys (<see cref="NGramRecord.SortKey(int, int)"/>) ascending, and the table index of each.</summary>
    internal static (long[] Keys, int[] Order) Sort(NGramTable table, int[]? contexts, int[] position)
    {
        int n = table.Count;
        var keys = new long[n];
        int maxWord = 0;
        var gate = new object();
        Parallel.For(0, Pieces(n), piece =>
        {
            var (from, to) = Range(piece, n);
            int localMax = 0;
            for (int i = from; i < to; i++)
            {
                int word = table.Words(i)[^1];
                keys[i] = NGramRecord.SortKey(word, contexts is null ? 0 : position[contexts[i]]);
                localMax = Math.Max(localMax, word);
            }
            lock (gate) maxWord = Math.Max(maxWord, localMax);
        });
        var start = new int[maxWord + 2];
        foreach (long key in keys) start[(int)(key >> 32) + 1]++;
        for (int w = 0; w <= maxWord; w++) start[w + 1] += start[w];
        var fill = start.AsSpan(0, maxWord + 1).ToArray();
        var sorted = new long[n];
        var order = new int[n];
        for (int i = 0; i < n; i++)
        {
            int at = fill[(int)(keys[i] >> 32)]++;
            (sorted[at], order[at]) = (keys[i], i);
        }
        SortRuns(sorted, order, start);
        return (sorted, order);
    }

    /// <summary>Each word's run by context index, words split between the cores in pieces of about equal records.</summary>
    private static void SortRuns(long[] sorted, int[] order, int[] start)
    {
        int words = start.Length - 1, pieces = Pieces(sorted.Length);
        var firstWord = new int[pieces + 1];
        for (int p = 1, w = 0; p <= pieces; p++)
        {
            long target = (long)sorted.Length * p / pieces;
            while (w < words && start[w + 1] <= target) w++;
            firstWord[p] = p == pieces ? words : w;
        }
        Parallel.For(0, pieces, p =>
        {
            for (int w = firstWord[p]; w < firstWord[p + 1]; w++)
                if (start[w + 1] - start[w] > 1) Array.Sort(sorted, order, start[w], start[w + 1] - start[w]);
        });
    }

    private static int[] Inverse(int[] order)
    {
        var inverse = new int[order.Length];
        for (int j = 0; j < order.Length; j++) inverse[order[j]] = j;
        return inverse;
    }

    private static void Gather(NGramTable table, long[] keys, int[] order, int first, NGramRecord[] buffer, int n) =>
        Parallel.For(0, Pieces(n), piece =>
        {
            var (from, to) = Range(piece, n);
            for (int j = from; j < to; j++)
            {
                int i = order[first + j];
                long key = keys[first + j];
                buffer[j] = new NGramRecord((int)(key & 0xFFFFFFFF), (int)(key >> 32), table.Adjusted[i], table.Prob[i], table.Backoff[i]);
            }
        });

    private const int PieceRecords = 1 << 15;

    private static int Pieces(int n) => Math.Max(1, (int)Math.Min(4L * Environment.ProcessorCount, (n + PieceRecords - 1) / PieceRecords));

    private static (int From, int To) Range(int piece, int n)
    {
        int pieces = Pieces(n);
        return ((int)((long)n * piece / pieces), (int)((long)n * (piece + 1) / pieces));
    }
}
