using LmCompare.Core;

namespace LmCompare.Counting.NGrams;

/// <summary>
/// Interpolated modified Kneser-Ney as KenLM's lmplz computes it (Heafield et al. 2013), stage by stage:
/// <b>count</b> the N-grams of each sentence padded with N-1 &lt;s&gt; on the left and &lt;/s&gt; on the right;
/// <b>adjust</b> lower orders to continuation counts (distinct left extensions; n-grams that start with &lt;s&gt; keep
/// their raw count; n-grams with more than one &lt;s&gt; are dropped); <b>discount</b> per order from the count-of-counts
/// n1..n4 (Chen and Goodman eq. 26); <b>initial</b> probabilities (c - D(c)) / sum and the context's backoff mass
/// gamma = sum_i D_i N_i / sum; <b>interpolate</b> p = initial + gamma * p(suffix), down to the uniform distribution over
/// the vocabulary without &lt;s&gt;; backoffs are log10 gamma of the n-gram as a context. Arithmetic is single precision
/// where lmplz's is, so the log10 values match its ARPA output.
/// </summary>
public static class KneserNeyEstimator
{
    private const int Bos = SpecialTokens.SentenceStartId, Eos = SpecialTokens.SentenceEndId, Unk = SpecialTokens.UnknownId;

    public static NGramModelData Estimate(ReadOnlySpan<int> tokens, int vocabularySize, KneserNeySettings settings, IProgress<ProgressReport>? progress = null)
    {
        settings.Validate();
        int n = settings.Order;
        progress?.Report(new ProgressReport("count", 0, tokens.Length, "tokens"));
        var padded = CountPadded(tokens, n);
        progress?.Report(new ProgressReport("adjust", 0, n, "orders"));
        var levels = new NGramTable[n];
        levels[n - 1] = padded;
        for (int order = n - 1; order >= 1; order--) levels[order - 1] = Suffixes(levels[order]);
        var rank = KenLmRanks(tokens, vocabularySize);
        var quirk = LastInSuffixOrder(padded, rank);
        var tables = new NGramTable[n];
        for (int order = 1; order <= n; order++) tables[order - 1] = Keep(levels[order - 1], order == n);
        EnsureSpecialUnigrams(tables[0]);
        progress?.Report(new ProgressReport("discount", 0, n, "orders"));
        var discounts = Enumerable.Range(1, n).Select(order => DiscountFor(tables[order - 1], order, n, levels, quirk, settings.DiscountFallback)).ToArray();
        progress?.Report(new ProgressReport("interpolate", 0, n, "orders"));
        Probabilities(tables, discounts);
        return new NGramModelData(tables, discounts, rank);
    }

    /// <summary>Stage "count": every N-gram ending at a word or &lt;/s&gt; of a sentence, with N-1 &lt;s&gt; before the sentence.</summary>
    private static NGramTable CountPadded(ReadOnlySpan<int> tokens, int n)
    {
        var table = new NGramTable(n, Math.Max(1024, tokens.Length));
        Span<int> window = stackalloc int[n];
        window.Fill(Bos);
        for (int i = 0; i < tokens.Length; i++)
        {
            window[1..].CopyTo(window);
            window[n - 1] = tokens[i];
            int index = table.FindOrAdd(window, out _);
            table.Raw[index]++;
            if (tokens[i] == Eos) window.Fill(Bos);
        }
        return table;
    }

    /// <summary>
    /// The (L)-suffixes of the (L+1)-level entries: raw counts add up, the adjusted count is the number of distinct
    /// entries a suffix came from (its distinct left extensions, &lt;s&gt; included).
    /// </summary>
    private static NGramTable Suffixes(NGramTable upper)
    {
        var lower = new NGramTable(upper.Order - 1, Math.Max(1024, upper.Count / 2));
        for (int i = 0; i < upper.Count; i++)
        {
            int index = lower.FindOrAdd(upper.Words(i)[1..], out _);
            lower.Raw[index] += upper.Raw[i];
            lower.Adjusted[index]++;
        }
        return lower;
    }

    /// <summary>
    /// The n-grams lmplz keeps at one order: none with &lt;s&gt; after the first word; the Kneser-Ney count is the raw count at
    /// the highest order and for n-grams starting with &lt;s&gt;, the continuation count otherwise.
    /// </summary>
    private static NGramTable Keep(NGramTable level, bool highest)
    {
        var kept = new NGramTable(level.Order, level.Count);
        for (int i = 0; i < level.Count; i++)
        {
            var words = level.Words(i);
            if (level.Order >= 2 && words[1] == Bos) continue;
            int index = kept.FindOrAdd(words, out _);
            kept.Raw[index] = level.Raw[i];
            kept.Adjusted[index] = highest || words[0] == Bos ? level.Raw[i] : level.Adjusted[i];
        }
        kept.AllocateValues();
        return kept;
    }

    private static void EnsureSpecialUnigrams(NGramTable unigrams)
    {
        bool grew = false;
        foreach (int special in new[] { Unk, Bos })
        {
            unigrams.FindOrAdd([special], out bool added);
            grew |= added;
        }
        if (grew) unigrams.AllocateValues();
    }

    /// <summary>KenLM's word ids: &lt;unk&gt; &lt;s&gt; &lt;/s&gt;, then words in order of first appearance in training.</summary>
    private static int[] KenLmRanks(ReadOnlySpan<int> tokens, int vocabularySize)
    {
        var rank = new int[vocabularySize];
        Array.Fill(rank, int.MaxValue);
        rank[Unk] = 0; rank[Bos] = 1; rank[Eos] = 2;
        int next = 3;
        foreach (int t in tokens) if (rank[t] == int.MaxValue) rank[t] = next++;
        for (int id = 0; id < vocabularySize; id++) if (rank[id] == int.MaxValue) rank[id] = next++;
        return rank;
    }

    /// <summary>
    /// The padded N-gram that lmplz's adjust stage sees last (suffix order over its word ids). lmplz records the suffixes
    /// of this one in the count-of-counts with their raw instead of adjusted counts; doing the same keeps the discounts equal.
    /// </summary>
    private static int[] LastInSuffixOrder(NGramTable padded, int[] rank)
    {
        int best = 0;
        for (int i = 1; i < padded.Count; i++)
        {
            var a = padded.Words(i);
            var b = padded.Words(best);
            for (int j = a.Length - 1; j >= 0; j--)
            {
                if (rank[a[j]] == rank[b[j]]) continue;
                if (rank[a[j]] > rank[b[j]]) best = i;
                break;
            }
        }
        return padded.Words(best).ToArray();
    }

    /// <summary>Stage "discount": n1..n4 of the order's Kneser-Ney counts, then D_j = j - (j+1) Y n_{j+1} / n_j, Y = n1 / (n1 + 2 n2).</summary>
    private static Discount DiscountFor(NGramTable table, int order, int highest, NGramTable[] levels, int[] quirk, bool fallback)
    {
        var n = new long[5];
        int quirkIndex = order < highest && (order < 2 || quirk[highest - order + 1] != Bos) ? table.Find(quirk.AsSpan(highest - order)) : -1;
        for (int i = 0; i < table.Count; i++)
        {
            long count = i == quirkIndex ? table.Raw[i] : table.Adjusted[i];
            if (count < 5) n[count]++;
        }
        for (int j = 1; j < 4; j++)
        {
            if (n[j] != 0) continue;
            if (fallback) return Discount.Fallback;
            throw new InputException($"could not calculate Kneser-Ney discounts for {order}-grams with adjusted count {j + 1}: no {order}-grams with adjusted count {j} (small or artificial data?); pass --discount-fallback to use 0.5, 1, 1.5");
        }
        float y = (float)(n[1] / (n[1] + 2.0 * n[2]));
        var d = new float[4];
        for (int j = 1; j < 4; j++)
        {
            d[j] = j - (j + 1) * y * n[j + 1] / (float)n[j];
            if (d[j] < 0 || d[j] > j)
            {
                if (fallback) return Discount.Fallback;
                throw new InputException($"{order}-gram discount out of range for adjusted count {j}: {d[j]}; pass --discount-fallback to use 0.5, 1, 1.5");
            }
        }
        return new Discount(d[1], d[2], d[3]);
    }

    /// <summary>Stages "initial" and "interpolate", order by order from the unigrams up.</summary>
    private static void Probabilities(NGramTable[] tables, Discount[] discounts)
    {
        int vocabulary = tables[0].Count - 1; // the uniform distribution includes <unk>, excludes <s>
        float uniform = (float)(1.0 / vocabulary);
        var linear = new float[tables.Length][];
        for (int k = 1; k <= tables.Length; k++)
        {
            var table = tables[k - 1];
            var (denominator, gamma) = ContextSums(table, k == 1 ? null : tables[k - 2], discounts[k - 1]);
            linear[k - 1] = new float[table.Count];
            for (int i = 0; i < table.Count; i++)
            {
                var words = table.Words(i);
                int context = k == 1 ? 0 : tables[k - 2].Find(words[..^1]);
                float initial = discounts[k - 1].Apply(table.Adjusted[i]) / denominator[context];
                float lower = k == 1 ? uniform : linear[k - 2][tables[k - 2].Find(words[1..])];
                float p = initial + gamma[context] * lower;
                linear[k - 1][i] = p;
                table.Prob[i] = Math.Min(0f, MathF.Log10(p));
            }
            if (k >= 2) SetBackoffs(tables[k - 2], gamma, denominator);
        }
        int bos = tables[0].Find([Bos]);
        if (bos >= 0) tables[0].Prob[bos] = 0f; // never predicted; lmplz writes 0
    }

    /// <summary>Per context (an entry of the order below, or the one empty context of the unigrams): the sum of counts and gamma.</summary>
    private static (float[] Denominator, float[] Gamma) ContextSums(NGramTable table, NGramTable? contexts, Discount discount)
    {
        int size = contexts?.Count ?? 1;
        var sum = new long[size];
        var byCount = new long[size * 4];
        for (int i = 0; i < table.Count; i++)
        {
            int context = contexts is null ? 0 : contexts.Find(table.Words(i)[..^1]);
            long count = table.Adjusted[i];
            sum[context] += count;
            if (count > 0) byCount[context * 4 + Math.Min(count, 3)]++;
        }
        var denominator = new float[size];
        var gamma = new float[size];
        for (int c = 0; c < size; c++)
        {
            denominator[c] = sum[c];
            float g = 0f;
            for (int j = 1; j <= 3; j++) g += discount.Get(j) * (float)byCount[c * 4 + j];
            gamma[c] = sum[c] == 0 ? 0f : g / denominator[c];
        }
        return (denominator, gamma);
    }

    /// <summary>log10 gamma for every n-gram that is a context (lmplz leaves 0 for those ending in &lt;unk&gt; or &lt;/s&gt;).</summary>
    private static void SetBackoffs(NGramTable contexts, float[] gamma, float[] denominator)
    {
        for (int c = 0; c < contexts.Count; c++)
        {
            int last = contexts.Words(c)[^1];
            contexts.Backoff[c] = denominator[c] > 0 && last != Eos && last != Unk ? MathF.Log10(gamma[c]) : 0f;
        }
    }
}

/// <summary>An estimated (or ARPA-loaded) backoff model: one table per order, its discounts, KenLM's word order.</summary>
public sealed record NGramModelData(NGramTable[] Tables, Discount[] Discounts, int[] KenLmRank)
{
    public int Order => Tables.Length;
}
