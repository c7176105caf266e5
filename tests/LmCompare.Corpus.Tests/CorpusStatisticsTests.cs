using LmCompare.Core;

namespace LmCompare.Corpus.Tests;

public class CorpusStatisticsTests
{
    [Fact]
    public void Fit_ExactPowerLaw_RecoversExponent()
    {
        var points = Enumerable.Range(1, 10).Select(n => (Math.Log(n), Math.Log(3.0 * Math.Pow(n, 0.5)))).ToList();

        var fit = CorpusStatistics.Fit(points)!;

        Assert.Equal(0.5, fit.Slope, 12);
        Assert.Equal(Math.Log(3.0), fit.Intercept, 12);
        Assert.Equal(1.0, fit.RSquared, 12);
    }

    [Fact]
    public void Fit_FewerThanTwoPoints_IsNull()
    {
        Assert.Null(CorpusStatistics.Fit([(1.0, 2.0)]));
    }

    [Fact]
    public void FitZipf_IdealZipfCounts_SlopeMinusOne()
    {
        var counts = Enumerable.Range(1, 2000).Select(r => new KeyValuePair<string, long>($"w{r:0000}", (long)Math.Round(1e6 / r)));
        var vocabulary = Vocabulary.Build(counts, new VocabularyOptions());

        var fit = CorpusStatistics.FitZipf(vocabulary)!;

        Assert.Equal(-1.0, fit.Slope, 3);
    }

    [Fact]
    public void FitHeaps_IgnoresPointsBelow16Words()
    {
        long[][] growth = [[1, 1], [2, 2], [16, 8], [64, 16], [256, 32]];

        var fit = CorpusStatistics.FitHeaps(growth)!;

        Assert.Equal(0.5, fit.Slope, 12);
        Assert.Equal(3, fit.Points);
    }
}
