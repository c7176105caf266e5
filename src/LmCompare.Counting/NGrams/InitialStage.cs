namespace LmCompare.Counting.NGrams;

/// <summary>
/// Stage <b>initial</b>: per context (an n-gram's first k-1 words), the sum of its n-grams' Kneser-Ney counts and its
/// backoff mass gamma = (D1 N1 + D2 N2 + D3+ N3+) / sum; per n-gram, the initial probability (c - D(c)) / sum (Heafield
/// et al. 2013, section 3.3). Sums are over integer counts, so the order n-grams arrive in changes nothing.
/// </summary>
public sealed class InitialStage(int contexts)
{
    private readonly long[] _sum = new long[contexts];
    private readonly long[] _byCount = new long[contexts * 4]; // index c * 4 + min(count, 3): N1, N2, N3+

    /// <summary>Adds one n-gram of context <paramref name="context"/> with Kneser-Ney count <paramref name="count"/>.</summary>
    public void Add(int context, long count)
    {
        _sum[context] += count;
        if (count > 0) _byCount[context * 4 + Math.Min(count, 3)]++;
    }

    /// <summary>Per context: the sum (as float, lmplz's denominator) and gamma.</summary>
    public (float[] Denominator, float[] Gamma) Finish(Discount discount)
    {
        var denominator = new float[_sum.Length];
        var gamma = new float[_sum.Length];
        for (int c = 0; c < _sum.Length; c++)
            (denominator[c], gamma[c]) = ContextValues(_sum[c], _byCount.AsSpan(c * 4, 4), discount);
        return (denominator, gamma);
    }

    /// <summary>A context's denominator (its sum as float) and gamma, from the sum and N1, N2, N3+ (<paramref name="byCount"/>[1..3]).</summary>
    public static (float Denominator, float Gamma) ContextValues(long sum, ReadOnlySpan<long> byCount, Discount discount)
    {
        float denominator = sum;
        float g = 0f;
        for (int j = 1; j <= 3; j++) g += discount.Get(j) * (float)byCount[j];
        return (denominator, sum == 0 ? 0f : g / denominator);
    }

    /// <summary>(c - D(c)) / sum in single precision.</summary>
    public static float Initial(Discount discount, long count, float denominator) => discount.Apply(count) / denominator;

    /// <summary>Sums of an order held whole: every n-gram's context index is known.</summary>
    public static (float[] Denominator, float[] Gamma) ContextSums(NGramTable table, int[] context, int contexts, Discount discount)
    {
        var stage = new InitialStage(contexts);
        for (int i = 0; i < table.Count; i++) stage.Add(context[i], table.Adjusted[i]);
        return stage.Finish(discount);
    }

    /// <summary>Index of each n-gram's context (its first k-1 words) in the order below; 0 for unigrams (one empty context).</summary>
    public static int[] ContextIndexes(NGramTable table, NGramTable? contexts)
    {
        var index = new int[table.Count];
        if (contexts is null) return index;
        Parallel.For(0, (table.Count + 65535) / 65536, chunk =>
        {
            contexts.FindContexts(table, chunk * 65536, Math.Min(table.Count, (chunk + 1) * 65536), index);
        });
        return index;
    }
}
