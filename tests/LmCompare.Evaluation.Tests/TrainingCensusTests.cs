using LmCompare.Core;
using LmCompare.Evaluation.Analysis;
using LmCompare.Evaluation.Metrics;
using LmCompare.Tests;

namespace LmCompare.Evaluation.Tests;

public class TrainingCensusTests
{
    /// <summary>Seeded Zipf-like ids with a sentence end every few tokens, cut into documents.</summary>
    private static (int[] Tokens, DocumentIndex Documents) RandomSplit(int seed, int tokens, int documents, int vocabulary)
    {
        var random = new Random(seed);
        var ids = new int[tokens];
        for (int i = 0; i < tokens; i++)
            ids[i] = random.Next(8) == 0 ? SpecialTokens.SentenceEndId : 3 + (int)((vocabulary - 3) * Math.Pow(random.NextDouble(), 3));
        var bounds = Enumerable.Range(0, documents).Select(d => (long)tokens * d / documents).Append(tokens).ToArray();
        return (ids, new DocumentIndex(bounds));
    }

    [Fact]
    public void Streamed_RandomSplits_SameLookupsAsExact_DistinctWithinTwoPercent()
    {
        using var temp = new TempDirectory();
        const int v = 3000;
        var (train, trainDocs) = RandomSplit(1, 300_000, 37, v);
        var (test, testDocs) = RandomSplit(2, 20_000, 5, v);
        string path = temp.Combine("train.bin");
        using (var writer = new TokenFileWriter(path)) { writer.Write(train); writer.Complete(); }

        var exact = TrainingCensus.Exact(train, trainDocs, 3);
        var streamed = TrainingCensus.Streamed(new TokenFileRanges(path, v), trainDocs, 3, recording =>
        {
            new ContextNoveltyAnalysis(recording.NGrams).Buckets(test, testDocs, EvaluationScope.Sentence);
            SparsityAnalysis.Analyse(v, recording, test, testDocs);
        }, null);
        var a = SparsityAnalysis.Analyse(v, exact, test, testDocs);
        var b = SparsityAnalysis.Analyse(v, streamed, test, testDocs);

        Assert.True(b.DistinctEstimated);
        Assert.False(a.DistinctEstimated);
        Assert.Equal(new ContextNoveltyAnalysis(exact.NGrams).Buckets(test, testDocs, EvaluationScope.Sentence),
            new ContextNoveltyAnalysis(streamed.NGrams).Buckets(test, testDocs, EvaluationScope.Sentence));
        foreach (var (x, y) in a.NGrams.Concat(a.Pairs).Zip(b.NGrams.Concat(b.Pairs)))
        {
            Assert.Equal(x.TestUnseen, y.TestUnseen);
            Assert.InRange(y.Distinct, x.Distinct * 0.98, x.Distinct * 1.02);
        }
        foreach (var (x, y) in a.Growth.Zip(b.Growth))
            foreach (var (p, q) in x.NGrams.Concat(x.Pairs).Zip(y.NGrams.Concat(y.Pairs)))
                Assert.InRange(q, p * 0.98 - 2, p * 1.02 + 2);
    }

    [Fact]
    public void ComputeExact_RandomSplits_SameAnalysisAsTheWholeCensus()
    {
        const int v = 2000;
        var (train, trainDocs) = RandomSplit(8, 150_000, 9, v);
        var (test, testDocs) = RandomSplit(9, 15_000, 3, v);
        for (int i = 0; i < test.Length; i += 70) test[i] = v + 5; // unseen in training

        var kindAtATime = TrainingAnalysis.ComputeExact(v + 6, train, trainDocs, 4, test, testDocs);
        var whole = TrainingAnalysis.Compute(v + 6, TrainingCensus.Exact(train, trainDocs, 4), test, testDocs);

        Assert.Equal(whole.Novelty, kindAtATime.Novelty);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(whole.Sparsity), System.Text.Json.JsonSerializer.Serialize(kindAtATime.Sparsity));
        Assert.False(kindAtATime.Sparsity.DistinctEstimated);
        Assert.Equal(4, kindAtATime.Sparsity.Pairs.Count);
    }

    [Theory]
    [InlineData(EvaluationScope.Sentence)]
    [InlineData(EvaluationScope.Document)]
    public void Buckets_RandomSplits_EqualTheLongestSeenSuffixOfEachPosition_OneLookupAtATime(EvaluationScope scope)
    {
        var (train, trainDocs) = RandomSplit(5, 200_000, 11, 800);
        var (test, testDocs) = RandomSplit(6, 20_000, 4, 800);
        for (int i = 0; i < test.Length; i += 50) test[i] = 900; // a word training never saw: k = 0 after it
        var census = TrainingCensus.Exact(train, trainDocs, 1);
        var novelty = new ContextNoveltyAnalysis(census.NGrams);

        var k = novelty.Buckets(test, testDocs, scope);

        var expected = new byte[test.Length];
        foreach (var (start, end) in ScoringUnits.Of(test, testDocs, scope))
            for (int i = start; i < end; i++)
            {
                var history = new[] { SpecialTokens.SentenceEndId }.Concat(test[start..i]).TakeLast(ContextNoveltyAnalysis.MaxK).ToArray();
                expected[i] = (byte)novelty.Longest(history);
            }
        Assert.Equal(expected, k);
        Assert.Equal(ContextNoveltyAnalysis.MaxK + 1, k.Distinct().Count()); // every bucket occurs: the fixture tests them all
    }

    [Theory]
    [InlineData(1_000)]
    [InlineData(30_000)]
    [InlineData(150_000)]
    [InlineData(250_000)]
    [InlineData(400_000)]
    [InlineData(2_000_000)]
    public void HyperLogLog_DistinctKeys_WithinOnePercent(int n)
    {
        var sketch = new HyperLogLog();
        for (ulong k = 0; k < (ulong)n; k++) sketch.Add(k * 7 + 3);
        for (ulong k = 0; k < (ulong)n; k += 2) sketch.Add(k * 7 + 3); // repeats change nothing

        Assert.InRange(sketch.Estimate(), n * 0.99, n * 1.01);
    }
}
