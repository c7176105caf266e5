using LmCompare.Core;

namespace LmCompare.Evaluation.Metrics;

/// <summary>
/// Sums of one model's scores over a split: natural-log likelihood with and without the positions whose target is
/// &lt;unk&gt; (KenLM's two perplexities), and top-1 / top-5 hits.
/// </summary>
public sealed class PerplexityMeter
{
    public long Tokens { get; private set; }
    public long Oov { get; private set; }
    public double TotalNats { get; private set; }       // -sum ln p, every predicted token (</s> included, <s> never)
    public double KnownNats { get; private set; }       // the same without <unk> targets
    public long Top1 { get; private set; }
    public long Top5 { get; private set; }
    public long Ranked { get; private set; }            // positions with a rank (a full distribution was computed)

    /// <param name="target">The token predicted.</param>
    /// <param name="logProb">ln p(target | history).</param>
    /// <param name="rank">Ids with a strictly higher probability than the target's, or -1 when not computed.</param>
    public void Add(int target, double logProb, int rank = -1)
    {
        Tokens++;
        TotalNats -= logProb;
        if (target == SpecialTokens.UnknownId) Oov++;
        else KnownNats -= logProb;
        if (rank < 0) return;
        Ranked++;
        if (rank == 0) Top1++;
        if (rank < 5) Top5++;
    }

    /// <summary>exp(mean nats) over every predicted token.</summary>
    public double Perplexity => Tokens == 0 ? double.NaN : Math.Exp(TotalNats / Tokens);

    /// <summary>exp(mean nats) without positions whose target is &lt;unk&gt;.</summary>
    public double PerplexityExclOov => Tokens == Oov ? double.NaN : Math.Exp(KnownNats / (Tokens - Oov));

    /// <summary>Total nats / (ln 2 x UTF-8 bytes of the split's text): the figure that compares different tokenizers.</summary>
    public double BitsPerByte(long bytes) => bytes <= 0 ? double.NaN : TotalNats / (Math.Log(2) * bytes);

    public double Top1Accuracy => Ranked == 0 ? double.NaN : (double)Top1 / Ranked;
    public double Top5Accuracy => Ranked == 0 ? double.NaN : (double)Top5 / Ranked;

    /// <summary>How many entries of <paramref name="probabilities"/> are strictly greater than <paramref name="value"/>.</summary>
    public static int CountGreater(ReadOnlySpan<float> probabilities, float value)
    {
        int count = 0, i = 0;
        var threshold = new System.Numerics.Vector<float>(value);
        int width = System.Numerics.Vector<float>.Count;
        for (; i <= probabilities.Length - width; i += width)
        {
            var greater = System.Numerics.Vector.GreaterThan(new System.Numerics.Vector<float>(probabilities[i..]), threshold);
            count -= System.Numerics.Vector.Sum(greater); // true lanes are -1
        }
        for (; i < probabilities.Length; i++) if (probabilities[i] > value) count++;
        return count;
    }
}
