using LmCompare.Core;

namespace LmCompare.Counting.NGrams;

/// <summary>
/// Stage <b>discount</b>: per order, the count-of-counts n1..n4 of the Kneser-Ney counts (summed over partitions), then
/// D_j = j - (j+1) Y n_{j+1} / n_j with Y = n1 / (n1 + 2 n2) (Chen and Goodman 1998, eq. 26), in single precision as
/// lmplz computes it.
/// </summary>
public static class DiscountStage
{
    private const int Bos = SpecialTokens.SentenceStartId;

    /// <summary>
    /// Adds the table's n1..n4 to <paramref name="n"/>. lmplz records the suffixes of the padded window it sees last
    /// (<paramref name="quirk"/>, <see cref="NGramCounter.LastPaddedWindow"/>) with their raw instead of adjusted counts;
    /// doing the same keeps the discounts equal.
    /// </summary>
    public static void AddCountOfCounts(NGramTable table, int order, int highest, int[] quirk, long[] n)
    {
        int quirkIndex = order < highest && (order < 2 || quirk[highest - order + 1] != Bos) ? table.Find(quirk.AsSpan(highest - order)) : -1;
        for (int i = 0; i < table.Count; i++)
        {
            long count = i == quirkIndex ? table.Raw[i] : table.Adjusted[i];
            if (count < 5) n[count]++;
        }
    }

    /// <summary>D_j = j - (j+1) Y n_{j+1} / n_j in single precision, or the fallback (or an error) where that is impossible.</summary>
    public static Discount FromCountOfCounts(long[] n, int order, bool fallback)
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
                throw new InputException($"{order}-gram discount out of range for adjusted count {j}: {d[j]}; pass --discount-fallback to use " +
                    $"0.5, 1, 1.5");
            }
        }
        return new Discount(d[1], d[2], d[3]);
    }
}
