using LmCompare.Core;
using LmCompare.Corpus.Ingest;
using LmCompare.Corpus.Sources;
using LmCompare.Tests;

namespace LmCompare.Corpus.Tests;

public class SplitPlannerTests
{
    private static List<SourceDocument> Documents(TempDirectory temp, int count) =>
        Enumerable.Range(0, count)
            .Select(i => temp.Write($"doc{i:00}.txt", new string('x', 100) + "\n"))
            .Select(p => SourceDocument.FromPath(p, Path.GetFileName(p)))
            .ToList();

    [Fact]
    public void ByFractions_SameSeed_SamePlan_OtherSeed_OtherPlan()
    {
        using var temp = new TempDirectory();
        var documents = Documents(temp, 40);
        string Plan(int seed)
            => string.Join(",", SplitPlanner.ByFractions(documents, [0.8, 0.1, 0.1],
            seed).Documents.Select(d => $"{d.Source.DisplayPath}:{d.Split}"));

        Assert.Equal(Plan(7), Plan(7));
        Assert.NotEqual(Plan(7), Plan(8));
    }

    [Fact]
    public void ByFractions_EqualSizes_GivesSharesByBytes()
    {
        using var temp = new TempDirectory();

        var plan = SplitPlanner.ByFractions(Documents(temp, 40), [0.8, 0.1, 0.1], 1);

        Assert.Equal(32, plan.Documents.Count(d => d.Split == Splits.Train));
        Assert.Equal(4, plan.Documents.Count(d => d.Split == Splits.Valid));
        Assert.Equal(4, plan.Documents.Count(d => d.Split == Splits.Test));
        Assert.Equal(plan.Documents.OrderBy(d => d.Split).Select(d => d.Split), plan.Documents.Select(d => d.Split));
    }

    [Fact]
    public void ByFractions_TooFewDocuments_Throws()
    {
        using var temp = new TempDirectory();

        Assert.Throws<UsageException>(() => SplitPlanner.ByFractions(Documents(temp, 2), [0.9, 0.05, 0.05], 1));
    }

    [Fact]
    public void ByFractions_OneDocument_UsesLineBlocks()
    {
        using var temp = new TempDirectory();

        Assert.True(SplitPlanner.ByFractions(Documents(temp, 1), [0.9, 0.05, 0.05], 1).LineBlocks);
    }

    [Theory]
    [InlineData(100, 90, 95)]
    [InlineData(3, 1, 2)]
    [InlineData(10, 8, 9)]
    public void LineBlockEnds_GivesEveryPositiveShareALine(long lines, long trainEnd, long validEnd)
    {
        Assert.Equal([trainEnd, validEnd], TokenizeStage.LineBlockEnds(lines, [0.9, 0.05, 0.05]));
    }

    [Theory]
    [InlineData(new[] { 0.9, 0.05 })]
    [InlineData(new[] { 0.9, 0.05, 0.1 })]
    [InlineData(new[] { 0.0, 0.5, 0.5 })]
    [InlineData(new[] { 1.2, -0.1, -0.1 })]
    public void ValidateFractions_Bad_Throws(double[] fractions)
    {
        Assert.Throws<UsageException>(() => IngestOptions.ValidateFractions(fractions));
    }
}
