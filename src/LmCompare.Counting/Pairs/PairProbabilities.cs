using LmCompare.Core;

namespace LmCompare.Counting.Pairs;

/// <summary>
/// The component distributions of the pair-distance model (docs/ARCHITECTURE.md, "The models"):
/// P_uni: Kneser-Ney's continuation unigram, absolutely discounted and interpolated with the uniform distribution
///   over every id but &lt;s&gt; (which is never predicted): P_uni(v) = max(N1+(.v) - D0, 0) / N1+(..) + D0 T / N1+(..) / (V - 1),
///   T = words with N1+(.v) &gt; 0, D0 = n1 / (n1 + 2 n2) over the continuation counts.
/// P_d(v | u) = max(c_d(u,v) - D_d, 0) / c_d(u,.) + D_d n_d(u,.) / c_d(u,.) P_uni(v): interpolated absolute discounting
///   (Ney, Essen and Kneser 1994), D_d = n1 / (n1 + 2 n2) of distance d; P_d = P_uni when u was never followed at d.
/// Probabilities here are plain (not logs).
/// </summary>
public sealed class PairProbabilities
{
    public PairProbabilities(PairTables tables)
    {
        Tables = tables;
        Discounts = Enumerable.Range(0, tables.Distances).Select(d => Discount(tables.Singletons[d], tables.Doubletons[d])).ToArray();
        Unigram = ContinuationUnigram(tables.Continuation, out double d0);
        UnigramDiscount = d0;
    }

    public PairTables Tables { get; }

    /// <summary>D_d for d = 1..N at index d-1.</summary>
    public double[] Discounts { get; }

    public double UnigramDiscount { get; }

    /// <summary>P_uni(v) for every id; sums to 1.</summary>
    public double[] Unigram { get; }

    /// <summary><see cref="Unigram"/> in single precision, for whole distributions (ranking, mixtures).</summary>
    public float[] UnigramSingle => _unigramSingle ??= Unigram.Select(p => (float)p).ToArray();
    private float[]? _unigramSingle;

    /// <summary>Every id by decreasing <see cref="UnigramSingle"/> (ties by id): the order ranks are counted in.</summary>
    public int[] UnigramOrder => _unigramOrder ??= OrderByUnigram(UnigramSingle);
    private int[]? _unigramOrder;

    /// <summary>Ids by decreasing p, ties by id: one sort of (p, id) keys, a non-negative float's bits ordering as the float.</summary>
    private static int[] OrderByUnigram(float[] p)
    {
        var keys = new long[p.Length];
        var ids = new int[p.Length];
        for (int v = 0; v < p.Length; v++)
        {
            keys[v] = ((long)(int.MaxValue - BitConverter.SingleToInt32Bits(p[v])) << 32) | (uint)v;
            ids[v] = v;
        }
        Array.Sort(keys, ids);
        return ids;
    }

    /// <summary>D = n1 / (n1 + 2 n2) (Ney et al. 1994), 0.5 when there are no singletons or doubletons to estimate it from.</summary>
    public static double Discount(long n1, long n2) => n1 + 2 * n2 == 0 || n1 == 0 ? 0.5 : (double)n1 / (n1 + 2 * n2);

    private static double[] ContinuationUnigram(int[] continuation, out double discount)
    {
        int v = continuation.Length;
        long total = 0, types = 0, n1 = 0, n2 = 0;
        foreach (int c in continuation)
        {
            total += c;
            if (c > 0) types++;
            if (c == 1) n1++;
            else if (c == 2) n2++;
        }
        discount = Discount(n1, n2);
        var p = new double[v];
        double uniform = total == 0 ? 1.0 / (v - 1) : discount * types / total / (v - 1);
        for (int w = 0; w < v; w++)
        {
            if (w == SpecialTokens.SentenceStartId) continue;
            p[w] = (total == 0 ? 0 : Math.Max(continuation[w] - discount, 0) / total) + uniform;
        }
        return p;
    }

    /// <summary>P_d(v | u).</summary>
    public double Distance(int u, int v, int d)
    {
        var t = Tables;
        long row = t.RowOf(u, d);
        long total = t.RowTotal[row];
        if (total == 0) return Unigram[v];
        var (start, length) = t.Span(row);
        return Distance(total, length, t.Entries.CountOf(row, start, length, v), d, v);
    }

    /// <summary>P_d(v | u) from the row's total c_d(u, .) &gt; 0, its distinct successors and c_d(u, v): the one formula
    /// both <see cref="Distance(int, int, int)"/> and the ranks' shared lookups use.</summary>
    internal double Distance(long total, int length, int count, int d, int v)
    {
        double discount = Discounts[d - 1];
        double seen = Math.Max(count - discount, 0);
        return (seen + discount * length * Unigram[v]) / total;
    }

    /// <summary>
    /// Adds weight * P_d(. | u) to every entry of <paramref name="p"/> except the part proportional to P_uni, which it
    /// returns as a coefficient (so a caller sums those once over the vocabulary).
    /// </summary>
    public double AddDistance(int u, int d, double weight, Span<double> p)
    {
        var t = Tables;
        long row = t.RowOf(u, d);
        long total = t.RowTotal[row];
        if (total == 0) return weight;
        double discount = Discounts[d - 1];
        var (start, length) = t.Span(row);
        using var entries = t.Entries.Row(row, start, length);
        var e = entries.Entries;
        for (int i = 0; i < e.Length; i += PairEntries.Stride) p[e[i]] += weight * Math.Max(e[i + 1] - discount, 0) / total;
        return weight * discount * length / total;
    }

    /// <summary>
    /// The single-precision <see cref="AddDistance(int, int, double, Span{double})"/> for whole distributions: the same
    /// terms, one multiplication per successor (the row's factor weight / total taken out of the loop).
    /// </summary>
    public double AddDistance(int u, int d, double weight, Span<float> p) => AddDistance(u, d, weight, p, null);

    /// <summary>The same, noting in <paramref name="touched"/> every successor it adds to (with repeats across distances):
    /// the ids a sparse caller reads and resets.</summary>
    public double AddDistance(int u, int d, double weight, Span<float> p, List<int>? touched)
    {
        var t = Tables;
        long row = t.RowOf(u, d);
        long total = t.RowTotal[row];
        if (total == 0) return weight;
        double discount = Discounts[d - 1];
        float factor = (float)(weight / total), shift = (float)discount;
        var (start, length) = t.Span(row);
        using var entries = t.Entries.Row(row, start, length);
        var e = entries.Entries;
        for (int i = 0; i < e.Length; i += PairEntries.Stride)
        {
            touched?.Add(e[i]);
            p[e[i]] += factor * MathF.Max(e[i + 1] - shift, 0f);
        }
        return weight * discount * length / total;
    }
}
