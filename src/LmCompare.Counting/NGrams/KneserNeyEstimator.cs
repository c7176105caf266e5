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

    public static NGramModelData Estimate(ReadOnlySpan<int> tokens, int vocabularySize, KneserNeySettings settings,
        IProgress<ProgressReport>? progress = null)
    {
        settings.Validate();
        int n = settings.Order;
        var rank = KenLmRanks(tokens, vocabularySize);
        progress?.Report(new ProgressReport("count", 0, tokens.Length, "tokens"));
        var tables = NewTables(n, vocabularySize, tokens.Length);
        var quirk = CountPadded(tokens, tables, rank);
        return FromCounts(tables, quirk, rank, vocabularySize, settings, progress);
    }

    /// <summary>Empty count tables of orders 1..n sized for a text of <paramref name="tokens"/> tokens.</summary>
    internal static NGramTable[] NewTables(int n, int vocabularySize, long tokens)
    {
        var tables = new NGramTable[n];
        int upper = (int)Math.Min(tokens, 1 << 28);
        for (int k = 1; k <= n; k++) tables[k - 1] = new NGramTable(k, k == 1 ? Math.Max(1024, vocabularySize) : Math.Max(1024,
            k == 2 ? upper / 3 : upper));
        return tables;
    }

    /// <summary>
    /// Stages "adjust" to "interpolate" from the counted tables (the raw counts <see cref="CountPadded"/> leaves, whoever
    /// counted them: this process, or shard workers through a cluster). The tables' entry order does not matter: every
    /// sum is over integer counts and every probability is computed per n-gram, so the values are the same.
    /// </summary>
    internal static NGramModelData FromCounts(NGramTable[] tables, int[] quirk, int[] rank, int vocabularySize, KneserNeySettings settings,
        IProgress<ProgressReport>? progress = null)
    {
        int n = tables.Length;
        progress?.Report(new ProgressReport("adjust", 0, n, "orders"));
        var suffix = new int[n][];
        for (int order = n - 1; order >= 1; order--) suffix[order] = AddSuffixes(tables[order], tables[order - 1]);
        foreach (var table in tables) SetKneserNeyCounts(table, highest: table.Order == n);
        EnsureSpecialUnigrams(tables[0]);
        if (settings.WholeVocabulary) for (int id = 0; id < vocabularySize; id++) tables[0].FindOrAdd([id], out _);
        foreach (var table in tables) table.AllocateValues();
        progress?.Report(new ProgressReport("discount", 0, n, "orders"));
        var discounts = Enumerable.Range(1, n).Select(order => DiscountFor(tables[order - 1], order, n, quirk, settings.DiscountFallback)).ToArray();
        progress?.Report(new ProgressReport("interpolate", 0, n, "orders"));
        var contexts = Probabilities(tables, suffix, discounts);
        return new NGramModelData(tables, discounts, rank) { Contexts = contexts };
    }

    /// <summary>
    /// The padded windows that end at training positions [<paramref name="from"/>, <paramref name="to"/>), counted as
    /// <see cref="CountPadded"/> counts them (a shard worker's part: the parts of every worker add up to the whole).
    /// The window at <paramref name="from"/> is rebuilt from the tokens before it, back to the sentence start or N-1 tokens.
    /// </summary>
    internal static void CountRange(ReadOnlySpan<int> tokens, NGramTable[] tables, long from, long to)
    {
        int n = tables.Length;
        int start = (int)from;
        while (start > 0 && tokens[start - 1] != Eos && from - start < n - 1) start--;
        Span<int> window = stackalloc int[n];
        window.Fill(Bos);
        int inSentence = start > 0 && tokens[start - 1] != Eos ? n - 1 : 0; // backed up N-1 tokens: the window is full
        for (int i = start; i < to; i++)
        {
            window[1..].CopyTo(window);
            window[n - 1] = tokens[i];
            inSentence++;
            if (i >= from)
            {
                int length = inSentence >= n - 1 ? n : inSentence + 1;
                var table = tables[length - 1];
                int index = table.FindOrAdd(window[(n - length)..], out _);
                table.Raw[index]++;
            }
            if (tokens[i] == Eos) { window.Fill(Bos); inSentence = 0; }
        }
    }

    /// <summary>The padded window that comes last in suffix order of KenLM's word ids (see <see cref="DiscountFor"/>).</summary>
    internal static int[] LastPaddedWindow(ReadOnlySpan<int> tokens, int n, int[] rank)
    {
        Span<int> window = stackalloc int[n];
        window.Fill(Bos);
        var last = new int[n];
        last.AsSpan().Fill(Bos);
        foreach (int token in tokens)
        {
            window[1..].CopyTo(window);
            window[n - 1] = token;
            if (SuffixOrderGreater(window, last, rank)) window.CopyTo(last);
            if (token == Eos) window.Fill(Bos);
        }
        return last;
    }

    /// <summary>
    /// Stage "count": every N-gram ending at a word or &lt;/s&gt; of a sentence, with N-1 &lt;s&gt; before the sentence.
    /// Windows with more than one &lt;s&gt; are not N-grams; lmplz keeps only their part from the last &lt;s&gt; on, with its
    /// raw count, one order down or more: that part is counted straight into its order here. Returns the padded window
    /// that comes last in suffix order of KenLM's word ids (see <see cref="DiscountFor"/>).
    /// </summary>
    internal static int[] CountPadded(ReadOnlySpan<int> tokens, NGramTable[] tables, int[] rank, int shards = 1, int shard = 0)
    {
        int n = tables.Length;
        Span<int> window = stackalloc int[n];
        window.Fill(Bos);
        var last = new int[n];
        last.AsSpan().Fill(Bos);
        int inSentence = 0;
        for (int i = 0; i < tokens.Length; i++)
        {
            window[1..].CopyTo(window);
            window[n - 1] = tokens[i];
            inSentence++;
            if (SuffixOrderGreater(window, last, rank)) window.CopyTo(last);
            if (shards == 1 || ShardOf(tokens[i], shards) == shard)
            {
                int length = inSentence >= n - 1 ? n : inSentence + 1; // from the last <s> on
                var table = tables[length - 1];
                int index = table.FindOrAdd(window[(n - length)..], out _); // before reading Raw: adding may grow it
                table.Raw[index]++;
            }
            if (tokens[i] == Eos) { window.Fill(Bos); inSentence = 0; }
        }
        return last;
    }

    /// <summary>The shard of an n-gram by its last word (all its suffixes share it, so adjusting counts stays in the shard).</summary>
    internal static int ShardOf(int word, int shards) => word % shards;

    internal static bool SuffixOrderGreater(ReadOnlySpan<int> a, ReadOnlySpan<int> b, int[] rank)
    {
        for (int j = a.Length - 1; j >= 0; j--)
            if (a[j] != b[j]) return rank[a[j]] > rank[b[j]];
        return false;
    }

    /// <summary>
    /// Adds the (L)-suffix of every (L+1)-gram to the order below: raw counts add up; the adjusted count is the number
    /// of distinct n-grams a suffix ends (its distinct left extensions, &lt;s&gt; included). Returns each entry's suffix index.
    /// </summary>
    internal static int[] AddSuffixes(NGramTable upper, NGramTable lower)
    {
        var suffix = new int[upper.Count];
        for (int i = 0; i < upper.Count; i++)
        {
            int index = lower.FindOrAdd(upper.Words(i)[1..], out _);
            lower.Raw[index] += upper.Raw[i];
            lower.Adjusted[index]++;
            suffix[i] = index;
        }
        return suffix;
    }

    /// <summary>The Kneser-Ney count is the raw count at the highest order and for n-grams that start with &lt;s&gt;.</summary>
    internal static void SetKneserNeyCounts(NGramTable table, bool highest)
    {
        for (int i = 0; i < table.Count; i++)
            if (highest || table.Words(i)[0] == Bos) table.Adjusted[i] = table.Raw[i];
    }

    internal static void EnsureSpecialUnigrams(NGramTable unigrams)
    {
        foreach (int special in new[] { Unk, Bos }) unigrams.FindOrAdd([special], out _);
    }

    /// <summary>KenLM's word ids: &lt;unk&gt; &lt;s&gt; &lt;/s&gt;, then words in order of first appearance in training.</summary>
    internal static int[] KenLmRanks(ReadOnlySpan<int> tokens, int vocabularySize)
    {
        var rank = new int[vocabularySize];
        Array.Fill(rank, int.MaxValue);
        rank[Unk] = 0; rank[Bos] = 1; rank[Eos] = 2;
        int next = 3;
        foreach (int t in tokens) if (rank[t] == int.MaxValue) rank[t] = next++;
        for (int id = 0; id < vocabularySize; id++) if (rank[id] == int.MaxValue) rank[id] = next++;
        return rank;
    }

    /// <summary>Stage "discount": n1..n4 of the order's Kneser-Ney counts, then D_j = j - (j+1) Y n_{j+1} / n_j, Y = n1 / (n1 + 2 n2).</summary>
    /// <remarks>lmplz records the suffixes of the padded window it sees last (suffix order) with their raw instead of
    /// adjusted counts; doing the same keeps the discounts equal.</remarks>
    private static Discount DiscountFor(NGramTable table, int order, int highest, int[] quirk, bool fallback)
    {
        var n = new long[5];
        AddCountOfCounts(table, order, highest, quirk, n);
        return DiscountFromCountOfCounts(n, order, fallback);
    }

    /// <summary>Adds the table's n1..n4 to <paramref name="n"/> (with lmplz's raw count for the last window's suffix).</summary>
    internal static void AddCountOfCounts(NGramTable table, int order, int highest, int[] quirk, long[] n)
    {
        int quirkIndex = order < highest && (order < 2 || quirk[highest - order + 1] != Bos) ? table.Find(quirk.AsSpan(highest - order)) : -1;
        for (int i = 0; i < table.Count; i++)
        {
            long count = i == quirkIndex ? table.Raw[i] : table.Adjusted[i];
            if (count < 5) n[count]++;
        }
    }

    /// <summary>D_j = j - (j+1) Y n_{j+1} / n_j in single precision, or the fallback (or an error) where that is impossible.</summary>
    internal static Discount DiscountFromCountOfCounts(long[] n, int order, bool fallback)
    {
        for (int j = 1; j < 4; j++)
        {
            if (n[j] != 0) continue;
            if (fallback) return Discount.Fallback;
            throw new InputException($"could not calculate Kneser-Ney discounts for {order}-grams with adjusted count {j + 1}: no {order}-grams " +
                $"with adjusted count {j} (small or artificial data?); pass --discount-fallback to use 0.5, 1, 1.5");
        }
        float y = (float)(n[1] / (n[1] + 2.0 * n[2]));
        var d = new float[4];
        for (int j = 1; j < 4; j++)
        {
            d[j] = j - (j + 1) * y * n[j + 1] / (float)n[j];
            if (d[j] < 0 || d[j] > j)
            {
                if (fallback) return Discount.Fallback;
                throw new InputException($"{order}-gram discount out of range for adjusted count {j}: {d[j]}; pass --discount-fallback to use 0.5, " +
                    $"1, 1.5");
            }
        }
        return new Discount(d[1], d[2], d[3]);
    }

    /// <summary>Stages "initial" and "interpolate", order by order from the unigrams up.</summary>
    private static int[][] Probabilities(NGramTable[] tables, int[][] suffix, Discount[] discounts)
    {
        var contexts = new int[tables.Length][];
        int vocabulary = tables[0].Count - 1; // the uniform distribution includes <unk>, excludes <s>
        float uniform = (float)(1.0 / vocabulary);
        float[] lower = [];
        for (int k = 1; k <= tables.Length; k++)
        {
            var table = tables[k - 1];
            var context = contexts[k - 1] = ContextIndexes(table, k == 1 ? null : tables[k - 2]);
            var (denominator, gamma) = ContextSums(table, context, k == 1 ? 1 : tables[k - 2].Count, discounts[k - 1]);
            var linear = new float[table.Count];
            var discount = discounts[k - 1];
            var suffixOf = k == 1 ? null : suffix[k - 1];
            var below = lower;
            Parallel.For(0, (table.Count + 65535) / 65536, chunk =>
            {
                int end = Math.Min(table.Count, (chunk + 1) * 65536);
                for (int i = chunk * 65536; i < end; i++)
                {
                    int c = context[i];
                    float initial = discount.Apply(table.Adjusted[i]) / denominator[c];
                    float p = initial + gamma[c] * (suffixOf is null ? uniform : below[suffixOf[i]]);
                    linear[i] = p;
                    table.Prob[i] = Math.Min(0f, MathF.Log10(p));
                }
            });
            if (k >= 2) SetBackoffs(tables[k - 2], gamma, denominator);
            lower = linear;
        }
        int bos = tables[0].Find([Bos]);
        if (bos >= 0) tables[0].Prob[bos] = 0f; // never predicted; lmplz writes 0
        return contexts;
    }

    /// <summary>Index of each n-gram's context (its first k-1 words) in the order below; 0 for unigrams (one empty context).</summary>
    public static int[] ContextIndexes(NGramTable table, NGramTable? contexts)
    {
        var index = new int[table.Count];
        if (contexts is null) return index;
        Parallel.For(0, (table.Count + 65535) / 65536, chunk =>
        {
            int end = Math.Min(table.Count, (chunk + 1) * 65536);
            for (int i = chunk * 65536; i < end; i++) index[i] = contexts.Find(table.Words(i)[..^1]);
        });
        return index;
    }

    /// <summary>Per context: the sum of its n-grams' counts (as float) and gamma = (D1 N1 + D2 N2 + D3+ N3+) / sum.</summary>
    internal static (float[] Denominator, float[] Gamma) ContextSums(NGramTable table, int[] context, int size, Discount discount)
    {
        var sum = new long[size];
        var byCount = new long[size * 4];
        for (int i = 0; i < table.Count; i++)
        {
            long count = table.Adjusted[i];
            sum[context[i]] += count;
            if (count > 0) byCount[context[i] * 4 + Math.Min(count, 3)]++;
        }
        return FinishContextSums(sum, byCount, discount);
    }

    /// <summary>Denominator (the sum as float) and gamma per context from the sums and the counts of 1, 2, 3+ (index c * 4 + j).</summary>
    internal static (float[] Denominator, float[] Gamma) FinishContextSums(long[] sum, long[] byCount, Discount discount)
    {
        var denominator = new float[sum.Length];
        var gamma = new float[sum.Length];
        for (int c = 0; c < sum.Length; c++)
        {
            denominator[c] = sum[c];
            float g = 0f;
            for (int j = 1; j <= 3; j++) g += discount.Get(j) * (float)byCount[c * 4 + j];
            gamma[c] = sum[c] == 0 ? 0f : g / denominator[c];
        }
        return (denominator, gamma);
    }

    /// <summary>
    /// log10 gamma for every n-gram that is a context. lmplz never sees &lt;unk&gt; in training; where a closed vocabulary
    /// puts it there, its contexts get their real backoff too, or the distribution after them would not sum to one.
    /// </summary>
    private static void SetBackoffs(NGramTable contexts, float[] gamma, float[] denominator)
    {
        for (int c = 0; c < contexts.Count; c++)
        {
            int last = contexts.Words(c)[^1];
            contexts.Backoff[c] = denominator[c] > 0 && last != Eos ? MathF.Log10(gamma[c]) : 0f;
        }
    }
}

/// <summary>An estimated (or ARPA-loaded) backoff model: one table per order, its discounts, KenLM's word order.</summary>
public sealed record NGramModelData(NGramTable[] Tables, Discount[] Discounts, int[] KenLmRank)
{
    public int Order => Tables.Length;

    /// <summary>Per order, each n-gram's context index in the order below (computed when not given).</summary>
    public int[][]? Contexts { get; set; }

    public int[] ContextsOf(int order)
    {
        Contexts ??= new int[Order][];
        return Contexts[order - 1] ??= KneserNeyEstimator.ContextIndexes(Tables[order - 1], order == 1 ? null : Tables[order - 2]);
    }
}
