using LmCompare.Core;

namespace LmCompare.Counting.NGrams;

/// <summary>
/// Stage <b>interpolate</b>: p(w | context) = initial + gamma(context) * p(w | context minus its first word), down to the
/// uniform distribution over the vocabulary without &lt;s&gt; (Heafield et al. 2013, section 3.4); the model keeps
/// log10 p and, for n-grams that are contexts, log10 gamma as the backoff. Arithmetic in single precision, as lmplz's.
/// </summary>
public static class InterpolateStage
{
    private const int Bos = SpecialTokens.SentenceStartId, Eos = SpecialTokens.SentenceEndId;

    /// <summary>The uniform floor: &lt;unk&gt; included, &lt;s&gt; excluded (never predicted).</summary>
    public static float Uniform(long unigrams) => (float)(1.0 / (unigrams - 1));

    public static float Probability(float initial, float gamma, float lower) => initial + gamma * lower;

    /// <summary>log10 p, at most 0; &lt;s&gt; as a unigram is never predicted and lmplz writes 0.</summary>
    public static float Log10Prob(float probability, int order, int firstWord) =>
        order == 1 && firstWord == Bos ? 0f : Math.Min(0f, MathF.Log10(probability));

    /// <summary>
    /// log10 gamma of an n-gram as a context (0 when it is none). lmplz never sees &lt;unk&gt; in training; where a closed
    /// vocabulary puts it there, its contexts get their real backoff too, or the distribution after them would not sum to one.
    /// </summary>
    public static float Log10Backoff(float denominator, float gamma, int lastWord) =>
        denominator > 0 && lastWord != Eos ? MathF.Log10(gamma) : 0f;

    /// <summary>Every order of tables held whole, from the unigrams up. Returns each order's context indexes.</summary>
    public static int[][] Run(NGramTable[] tables, int[][] suffix, Discount[] discounts)
    {
        var contexts = new int[tables.Length][];
        float uniform = Uniform(tables[0].Count);
        float[] lower = [];
        for (int k = 1; k <= tables.Length; k++)
        {
            var table = tables[k - 1];
            var context = contexts[k - 1] = InitialStage.ContextIndexes(table, k == 1 ? null : tables[k - 2]);
            var (denominator, gamma) = InitialStage.ContextSums(table, context, k == 1 ? 1 : tables[k - 2].Count, discounts[k - 1]);
            var linear = new float[table.Count];
            var discount = discounts[k - 1];
            var suffixOf = k == 1 ? null : suffix[k - 1];
            var below = lower;
            int order = k;
            Parallel.For(0, (table.Count + 65535) / 65536, chunk =>
            {
                int end = Math.Min(table.Count, (chunk + 1) * 65536);
                for (int i = chunk * 65536; i < end; i++)
                {
                    int c = context[i];
                    float p = Probability(InitialStage.Initial(discount, table.Adjusted[i], denominator[c]), gamma[c],
                        suffixOf is null ? uniform : below[suffixOf[i]]);
                    linear[i] = p;
                    table.Prob[i] = Log10Prob(p, order, table.Words(i)[0]);
                }
            });
            if (k >= 2)
            {
                var above = tables[k - 2];
                for (int c = 0; c < above.Count; c++) above.Backoff[c] = Log10Backoff(denominator[c], gamma[c], above.Words(c)[^1]);
            }
            lower = linear;
        }
        return contexts;
    }
}
