using LmCompare.Core;
using LmCompare.Corpus.Ingest;

namespace LmCompare.Corpus;

/// <summary>Per-split figures of <c>lmc corpus stats</c>.</summary>
/// <param name="Types">Distinct ids occurring in the split (&lt;unk&gt; and &lt;/s&gt; included).</param>
public sealed record SplitStatistics(string Split, int Documents, long Lines, long Tokens, long Words, long Oov, double OovRate, long Bytes,
    int Types);

public sealed record WordCount(string Word, long Count);

/// <summary>A least-squares line in log-log space: log y = Intercept + Slope log x (natural logs).</summary>
public sealed record PowerLawFit(double Slope, double Intercept, double RSquared, int Points);

/// <summary>Everything <c>lmc corpus stats</c> prints.</summary>
/// <param name="Zipf">log frequency against log rank over the vocabulary's words (slope near -1 for natural text).</param>
/// <param name="Heaps">log types against log training words, V = K n^beta: Slope is beta, exp(Intercept) is K.</param>
public sealed record CorpusStatistics(
    string Corpus, string Tokenizer, int VocabularySize, long TrainTypes,
    IReadOnlyList<SplitStatistics> Splits, IReadOnlyList<WordCount> TopWords, PowerLawFit? Zipf, PowerLawFit? Heaps)
{
    public static CorpusStatistics Compute(TokenizedCorpus corpus, int top = 20)
    {
        var manifest = corpus.Manifest;
        var splits = new List<SplitStatistics>();
        for (int s = 0; s < Ingest.Splits.Names.Count; s++)
        {
            var info = corpus.SplitInfo(s);
            int types = CountTypes(corpus.ReadTokens(s), corpus.Vocabulary.Count);
            splits.Add(new SplitStatistics(Ingest.Splits.Names[s], info.Documents, info.Lines, info.Tokens, info.Words, info.Oov, info.OovRate,
                info.Bytes, types));
        }
        var vocabulary = corpus.Vocabulary;
        var topWords = Enumerable.Range(SpecialTokens.Count, Math.Min(top, vocabulary.Count - SpecialTokens.Count))
            .Select(id => new WordCount(vocabulary[id], vocabulary.CountOf(id))).ToList();
        string tokenizer = manifest.Tokenizer.Kind + (manifest.Tokenizer.Lowercase ? " (lowercase)" : "");
        return new CorpusStatistics(manifest.Name, tokenizer, vocabulary.Count, manifest.Vocabulary.TrainTypes,
            splits, topWords, FitZipf(vocabulary), FitHeaps(manifest.TrainTypeGrowth));
    }

    private static int CountTypes(int[] ids, int vocabularySize)
    {
        var seen = new bool[vocabularySize];
        int types = 0;
        foreach (int id in ids) if (!seen[id]) { seen[id] = true; types++; }
        return types;
    }

    /// <summary>
    /// Zipf's law f(r) ~ C r^s. Ranks are sampled log-uniformly (r = 1, 2, ... growing by 10% per step) up to the last
    /// word seen at least 5 times, so the long tail of hapaxes (a staircase in log-log space) does not dominate the fit.
    /// </summary>
    public static PowerLawFit? FitZipf(Vocabulary vocabulary)
    {
        var points = new List<(double X, double Y)>();
        int words = vocabulary.Count - SpecialTokens.Count;
        double r = 1;
        while (r <= words)
        {
            int rank = (int)r;
            long count = vocabulary.CountOf(SpecialTokens.Count + rank - 1);
            if (count < 5) break;
            points.Add((Math.Log(rank), Math.Log(count)));
            r = Math.Max(r + 1, r * 1.1);
        }
        return Fit(points);
    }

    /// <summary>Heaps' law V(n) = K n^beta from the type growth recorded at ingestion (n = 2^k training words).</summary>
    public static PowerLawFit? FitHeaps(IReadOnlyList<long[]> growth) =>
        Fit(growth.Where(p => p[0] >= 16 && p[1] > 0).Select(p => (Math.Log(p[0]), Math.Log(p[1]))).ToList());

    /// <summary>Ordinary least squares of Y on X; null with fewer than two distinct X values.</summary>
    public static PowerLawFit? Fit(IReadOnlyList<(double X, double Y)> points)
    {
        int n = points.Count;
        if (n < 2) return null;
        double mx = points.Average(p => p.X), my = points.Average(p => p.Y);
        double sxy = points.Sum(p => (p.X - mx) * (p.Y - my)), sxx = points.Sum(p => (p.X - mx) * (p.X - mx));
        double syy = points.Sum(p => (p.Y - my) * (p.Y - my));
        if (sxx == 0) return null;
        double slope = sxy / sxx;
        double r2 = syy == 0 ? 1 : sxy * sxy / (sxx * syy);
        return new PowerLawFit(slope, my - slope * mx, r2, n);
    }
}
