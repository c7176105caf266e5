using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Counting.Pairs;
using LmCompare.Tests;

namespace LmCompare.Counting.Tests;

/// <summary>
/// Hand computation for the tiny fixture (stream 3 4 3 2 4 3 2 3 4 2, N = 2):
/// d = 1: c(3,4) = c(4,3) = c(3,2) = 2, c(2,4) = c(2,3) = c(4,2) = 1, so n1 = 3, n2 = 3, D1 = 3 / (3 + 6) = 1/3.
/// d = 2: c(3,3) = c(4,2) = 2, c(3,4) = c(2,3) = c(2,4) = c(3,2) = 1, so n1 = 4, n2 = 2, D2 = 4 / (4 + 4) = 1/2.
/// Continuation counts N1+(.v): 2 for each of a, b, &lt;/s&gt;; no word has exactly one, so D0 falls back to 0.5;
/// uniform share 0.5 * 3 / 6 / 4 = 0.0625 over the 4 ids other than &lt;s&gt;; P_uni(a) = (2 - 0.5) / 6 + 0.0625 = 0.3125.
/// P_1(b | a): row (a, 1) = {b: 2, &lt;/s&gt;: 2}, total 4: ((2 - 1/3) + 1/3 * 2 * 0.3125) / 4 = 0.46875.
/// P_2(&lt;/s&gt; | b): row (b, 2) = {&lt;/s&gt;: 2}, total 2: ((2 - 1/2) + 1/2 * 1 * 0.3125) / 2 = 0.828125.
/// </summary>
public class PairDistanceModelTests
{
    private const int A = 3, B = 4, End = SpecialTokens.SentenceEndId;

    [Fact]
    public void Build_TinyFixture_HandComputedCountsDiscountsAndProbabilities()
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.TinyCorpus(temp);
        PairFixtures.Build(workspace, "tiny", "p");
        using var model = PairModelLoader.Load(workspace, "p");
        var tables = model.Probabilities.Tables;

        Assert.Equal([2, 2, 2, 1, 1, 1], new[] { tables.CountOf(A, B, 1), tables.CountOf(B, A, 1), tables.CountOf(A, End, 1),
            tables.CountOf(End, B, 1), tables.CountOf(End, A, 1), tables.CountOf(B, End, 1) });
        Assert.Equal([2, 2, 1, 1, 1, 1], new[] { tables.CountOf(A, A, 2), tables.CountOf(B, End, 2), tables.CountOf(A, B, 2),
            tables.CountOf(End, A, 2), tables.CountOf(End, B, 2), tables.CountOf(A, End, 2) });
        Assert.Equal(0, tables.CountOf(B, B, 1));
        Assert.Equal(9, tables.RowTotal.ToArray().Where((_, r) => r % 2 == 0).Sum());
        Assert.Equal(8, tables.RowTotal.ToArray().Where((_, r) => r % 2 == 1).Sum());
        Assert.Equal([1.0 / 3, 0.5], model.Probabilities.Discounts);
        Assert.Equal(0.5, model.Probabilities.UnigramDiscount);
        Assert.Equal([0.0625, 0, 0.3125, 0.3125, 0.3125], model.Probabilities.Unigram);
        Assert.Equal(0.46875, model.Probabilities.Distance(A, B, 1), 12);
        Assert.Equal(0.828125, model.Probabilities.Distance(B, End, 2), 12);
        Assert.Equal(model.Probabilities.Unigram[A], model.Probabilities.Distance(SpecialTokens.UnknownId, A, 1), 12); // never followed: P_uni
        Assert.Equal([End, B], model.Probabilities.Tables.TopSuccessors(A, 1).ToArray()); // a tie (2 and 2): the smaller id first
    }

    [Fact]
    public void Probability_MixesComponentsWithTheBucketsLambdas()
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.TinyCorpus(temp);
        PairFixtures.Build(workspace, "tiny", "p");
        using var model = PairModelLoader.Load(workspace, "p");
        int[] context = [B, A];
        var w = model.Lambdas.For(model.Probabilities.Tables.RowTotal[model.Probabilities.Tables.RowOf(A, 1)]);

        double expected = w[0] * 0.3125 + w[1] * model.Probabilities.Distance(A, B, 1) + w[2] * model.Probabilities.Distance(B, B, 2);

        Assert.Equal(expected, model.Probability(context, B), 12);
        Assert.Equal(1.0, w.Sum(), 9);
        Assert.Equal((w[0] * 0.3125 + w[1] * 0.46875) / (w[0] + w[1]), model.Probability([A], B), 12); // d = 2 drops out, lambdas renormalise
        Assert.Equal(0.3125, model.Probability([], B), 12);
    }
}

[Trait("Category", "Slow")] // a Garnet cluster, a browser, lmc processes or seconds of work: not in tests/run.sh --fast
public class PairDistanceModelPropertyTests
{
    [Fact]
    public void NextTokenLogProbs_RandomContexts_SumToOneAndAgreeWithScore()
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp);
        PairFixtures.Build(workspace, "random", "p", new PairModelSettings(Distances: 4, TopK: 5, MemoryBytes: 64L << 20));
        using var model = PairModelLoader.Load(workspace, "p");
        var random = new Random(11);
        var logProbs = new float[model.Vocabulary.Count];
        var dense = new double[model.Vocabulary.Count];
        const int Unk = SpecialTokens.UnknownId;
        var contexts = new List<int[]> { Array.Empty<int>(), new[] { Unk }, new[] { Unk, Unk, Unk, Unk, Unk },
            new[] { SpecialTokens.SentenceEndId } };
        for (int i = 0; i < 40; i++) contexts.Add(Enumerable.Range(0, random.Next(1, 9)).Select(_ => random.Next(model.Vocabulary.Count)).ToArray());

        foreach (var context in contexts)
        {
            model.NextTokenProbabilities([SpecialTokens.SentenceEndId, .. context], dense); // through ILanguageModel a span starts after </s>
            Assert.True(Math.Abs(dense.Sum() - 1) < 1e-6, $"sum {dense.Sum()} for context [{string.Join(',', context)}]");
            model.NextTokenLogProbs(context, logProbs);
            int target = random.Next(model.Vocabulary.Count);
            if (target == SpecialTokens.SentenceStartId) continue;
            var scored = new double[1];
            model.Score([.. context, target], context.Length, scored);
            Assert.Equal(Math.Log(dense[target]), scored[0], 9);
            Assert.Equal(Math.Log(dense[target]), logProbs[target], 4);
        }
    }

    /// <summary>The fast path against brute force: ranks counted over whole distributions (as the evaluator counts them),
    /// with top lists shorter than most rows (K = 1, 5), longer than every row (K = 400: each row is its own list), and
    /// the tables mapped or read from the file.</summary>
    [Theory]
    [InlineData(4, 0, 5, 5)]
    [InlineData(2, 23, 5, 5)]
    [InlineData(3, 0, 1, 5)]
    [InlineData(8, 0, 3, 5)]
    [InlineData(4, 0, 400, 5)]
    [InlineData(4, 0, 5, 1)]
    public void ScoreRanks_EveryTestPosition_EqualsTheRankInTheWholeDistribution(int distances, int start, int topK, int cap)
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp, documents: 10, linesPerDocument: 60, words: 120);
        PairFixtures.Build(workspace, "random", "p", new PairModelSettings(Distances: distances, TopK: topK, MemoryBytes: 64L << 20));
        using var model = PairModelLoader.Load(workspace, "p");
        using var read = PairModelLoader.Load(workspace, "p", cacheBytes: 0);
        var tokens = TokenizedCorpus.Open(workspace, "random").ReadTokens(Splits.Test);
        int v = model.Vocabulary.Count, n = tokens.Length - start;
        var rows = new float[n * v];
        var (expected, actual, fromFile) = (new double[n], new double[n], new double[n]);
        var (ranks, fileRanks) = (new int[n], new int[n]);

        ((ILanguageModel)model).ScoreDistributions(tokens, start, expected, rows);
        model.ScoreRanks(tokens, start, actual, ranks, cap);
        read.ScoreRanks(tokens, start, fromFile, fileRanks, cap);

        for (int i = 0; i < n; i++)
        {
            var row = rows.AsSpan(i * v, v);
            int greater = 0;
            foreach (float p in row) if (p > row[tokens[start + i]]) greater++;
            Assert.Equal(Math.Min(greater, cap), ranks[i]);
        }
        Assert.Equal(expected, actual);
        Assert.Equal(expected, fromFile);
        Assert.Equal(ranks, fileRanks);
        var unigram = model.Probabilities.UnigramSingle;
        Assert.Equal(Enumerable.Range(0, v).OrderByDescending(w => unigram[w]).ThenBy(w => w), model.Probabilities.UnigramOrder);
        Assert.Contains(0, ranks); // top-1 hits, misses beyond the cap and, with a cap above 1, ranks between occur
        Assert.Contains(cap, ranks);
        if (cap > 1) Assert.Contains(ranks, r => r > 0 && r < cap);
        model.EnsureIntact();
    }

    [Fact]
    public void Build_RandomCorpus_EmNeverLowersValidationLikelihood()
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp);

        var manifest = PairFixtures.Build(workspace, "random", "p", new PairModelSettings(Distances: 4, TopK: 5, MemoryBytes: 64L << 20)).Manifest;

        Assert.True(manifest.EmIterations.Count >= 2);
        for (int i = 1; i < manifest.EmIterations.Count; i++)
            Assert.True(manifest.EmIterations[i].Perplexity <= manifest.EmIterations[i - 1].Perplexity + 1e-12, $"iteration {i + 1} rose");
        Assert.All(manifest.Lambdas, w => Assert.Equal(1.0, w.Sum(), 9));
        Assert.True(manifest.EmPositions > 0);
    }

    [Fact]
    public void PredictVote_RanksTheUnionOfTopListsByProbability()
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp);
        PairFixtures.Build(workspace, "random", "p", new PairModelSettings(Distances: 3, TopK: 4, MemoryBytes: 64L << 20));
        using var model = PairModelLoader.Load(workspace, "p");
        int[] context = [3, 4, 5];

        var vote = model.PredictVote(context, 5);

        var union = Enumerable.Range(1, 3).SelectMany(d => model.Probabilities.Tables.TopSuccessors(context[^d], d).ToArray()).ToHashSet();
        Assert.All(vote, c => Assert.Contains(c.Id, union));
        Assert.Equal(vote.OrderByDescending(c => c.Probability).Select(c => c.Id), vote.Select(c => c.Id));
        Assert.Equal(model.Probability(context, vote[0].Id), vote[0].Probability, 12);
    }

    [Fact]
    public void Build_Twice_SameNumbers()
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp);
        var settings = new PairModelSettings(Distances: 4, TopK: 5, MemoryBytes: 64L << 20);

        var first = PairFixtures.Build(workspace, "random", "p1", settings).Manifest;
        var second = PairFixtures.Build(workspace, "random", "p2", settings).Manifest;

        Assert.Equal(first.TablesXxHash64, second.TablesXxHash64);
        Assert.Equal(first.Lambdas.SelectMany(w => w), second.Lambdas.SelectMany(w => w));
        Assert.Equal(first.TestPerplexity, second.TestPerplexity);
        Assert.Equal(first.DistinctPairsPerDistance, second.DistinctPairsPerDistance);
    }
}
