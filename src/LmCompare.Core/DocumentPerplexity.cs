namespace LmCompare.Core;

/// <summary>Perplexity with every earlier token of the document as context (scope "document").</summary>
/// <param name="Tokens">Predicted tokens, &lt;/s&gt; included.</param>
/// <param name="Oov">Predicted tokens that are &lt;unk&gt;.</param>
/// <param name="Perplexity">exp(-mean ln p) over every predicted token.</param>
/// <param name="PerplexityExclOov">The same without positions whose target is &lt;unk&gt; (KenLM's second figure).</param>
public sealed record PerplexityResult(long Tokens, long Oov, double Perplexity, double PerplexityExclOov);

public static class DocumentPerplexity
{
    public static PerplexityResult Compute(ILanguageModel model, ReadOnlySpan<int> tokens, DocumentIndex documents)
    {
        double total = 0, totalKnown = 0; // natural logs
        long count = 0, oov = 0;
        double[] buffer = [];
        for (int doc = 0; doc < documents.Documents; doc++)
        {
            var (start, end) = documents[doc];
            int length = (int)(end - start);
            if (buffer.Length < length) buffer = new double[length];
            var span = tokens.Slice((int)start, length);
            model.Score(span, 0, buffer);
            for (int i = 0; i < length; i++)
            {
                total += buffer[i];
                if (span[i] == SpecialTokens.UnknownId) oov++;
                else totalKnown += buffer[i];
            }
            count += length;
        }
        if (count == 0) return new PerplexityResult(0, 0, double.NaN, double.NaN);
        return new PerplexityResult(count, oov, Math.Exp(-total / count), count == oov ? double.NaN : Math.Exp(-totalKnown / (count - oov)));
    }
}
