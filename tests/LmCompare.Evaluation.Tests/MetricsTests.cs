using LmCompare.Core;
using LmCompare.Evaluation.Analysis;
using LmCompare.Evaluation.Metrics;

namespace LmCompare.Evaluation.Tests;

public class PerplexityMeterTests
{
    private const int Unk = SpecialTokens.UnknownId, Eos = SpecialTokens.SentenceEndId, A = 3, B = 4;

    // One fixed distribution: <unk> .1, </s> .2, a .4, b .3 (<s> 0). Lines "a b </s>" and "<unk> a </s>".
    private static readonly double[] Fixed = [0.1, 0, 0.2, 0.4, 0.3];
    private static readonly int[] Tokens = [A, B, Eos, Unk, A, Eos];

    [Fact]
    public void Evaluate_FixedDistribution_HandComputedFigures()
    {
        using var model = new FixedModel("fixed", FixedModel.VocabularyOf(2), Fixed);
        var scores = new ModelEvaluator().Run([model], [], Tokens, new DocumentIndex([0, 6]), EvaluationScope.Sentence, null, withRanks: true)[0];
        var m = scores.Overall;

        Assert.Equal(6, m.Tokens);
        Assert.Equal(1, m.Oov);
        Assert.Equal(Math.Pow(0.4 * 0.3 * 0.2 * 0.1 * 0.4 * 0.2, -1.0 / 6), m.Perplexity, 9);
        Assert.Equal(Math.Pow(0.4 * 0.3 * 0.2 * 0.4 * 0.2, -1.0 / 5), m.PerplexityExclOov, 9);
        double nats = -Math.Log(0.4 * 0.3 * 0.2 * 0.1 * 0.4 * 0.2);
        Assert.Equal(nats / (Math.Log(2) * 20), m.BitsPerByte(20), 12);
        Assert.Equal(2.0 / 6, m.Top1Accuracy, 12); // a is the mode (rank 0); b rank 1, </s> rank 2, <unk> rank 3
        Assert.Equal(1.0, m.Top5Accuracy, 12);
    }

    [Fact]
    public void Evaluate_Mixture_CombinesProbabilitiesNotLogs()
    {
        var vocabulary = FixedModel.VocabularyOf(2);
        using var first = new FixedModel("p", vocabulary, Fixed);
        using var second = new FixedModel("q", vocabulary, [0.25, 0, 0.25, 0.25, 0.25]);
        var scores = new ModelEvaluator().Run([first, second], [new MixtureSpec(0, 1, 0.6)], Tokens, new DocumentIndex([0, 6]),
            EvaluationScope.Sentence, null, withRanks: true);
        double product = 1;
        foreach (int t in Tokens) product *= 0.6 * Fixed[t] + 0.4 * 0.25;
        Assert.Equal("p+q", scores[2].Name);
        Assert.Equal(Math.Pow(product, -1.0 / 6), scores[2].Overall.Perplexity, 9);
        Assert.Equal(2.0 / 6, scores[2].Overall.Top1Accuracy, 12); // the mixture keeps p's order
    }

    [Fact]
    public void Run_ConcurrentModel_SameSumsAsScoredOneSpanAtATime()
    {
        var random = new Random(5);
        var vocabulary = FixedModel.VocabularyOf(6);
        var tokens = Enumerable.Range(0, 40_000).Select(i => i % 9 == 8 ? Eos : random.Next(A, A + 6)).ToArray();
        tokens[^1] = Eos;
        var documents = new DocumentIndex([0, 20_000, tokens.Length]);
        var novelty = tokens.Select(t => (byte)(t % 3)).ToArray();
        var bigram = new AddOneBigram("b", vocabulary, tokens.AsSpan(0, 10_000));
        using var concurrent = new RankedBigram(bigram, concurrent: true, awaitSecondThread: Environment.ProcessorCount > 1);
        using var sequential = new RankedBigram(bigram, concurrent: false);
        using var other = new FixedModel("f", vocabulary, [0.05, 0, 0.15, 0.2, 0.2, 0.1, 0.1, 0.1, 0.1]);
        using var third = new FixedModel("g", vocabulary, [0.1, 0, 0.1, 0.1, 0.1, 0.1, 0.2, 0.2, 0.1]);

        foreach (var (scope, ranks) in new[] { (EvaluationScope.Sentence, true), (EvaluationScope.Document, false) })
        {
            var parallel = new ModelEvaluator().Run([concurrent, other, third], [new MixtureSpec(1, 2, 0.5)], tokens, documents, scope,
                novelty, ranks);
            var alone = new ModelEvaluator().Run([sequential, other, third], [new MixtureSpec(1, 2, 0.5)], tokens, documents, scope,
                novelty, ranks);
            for (int m = 0; m < 4; m++)
                foreach (var (a, b) in alone[m].ByNovelty.Prepend(alone[m].Overall).Zip(parallel[m].ByNovelty.Prepend(parallel[m].Overall)))
                {
                    Assert.Equal((a.Tokens, a.Oov, a.Top1, a.Top5, a.Ranked), (b.Tokens, b.Oov, b.Top1, b.Top5, b.Ranked));
                    Assert.Equal(a.TotalNats, b.TotalNats); // the same sums in the same order, to the bit
                    Assert.Equal(a.KnownNats, b.KnownNats);
                }
            Assert.Equal(tokens.Length, parallel[0].Overall.Tokens);
        }
        Assert.Equal(1, sequential.Threads);
        if (Environment.ProcessorCount > 1) Assert.True(concurrent.Threads > 1, "scored on one thread");
    }

    [Fact]
    public void CountGreater_VectorAndTail_CountsStrictlyGreater()
    {
        var values = Enumerable.Range(0, 37).Select(i => (float)(i % 7)).ToArray();
        Assert.Equal(values.Count(v => v > 3f), PerplexityMeter.CountGreater(values, 3f));
        Assert.Equal(0, PerplexityMeter.CountGreater(values, 6f));
    }

    [Fact]
    public void ScoringUnits_SentenceScope_OneUnitPerLineWithinDocuments()
    {
        int[] tokens = [A, Eos, A, B, Eos, B, Eos];
        var units = ScoringUnits.Of(tokens, new DocumentIndex([0, 5, 7]), EvaluationScope.Sentence);
        Assert.Equal([(0, 2), (2, 5), (5, 7)], units);
        Assert.Equal([(0, 5), (5, 7)], ScoringUnits.Of(tokens, new DocumentIndex([0, 5, 7]), EvaluationScope.Document));
    }
}

public class MixtureWeightFitterTests
{
    [Fact]
    public void Fit_SymmetricPositions_HalfAndHalf()
    {
        double[] p = [Math.Log(0.8), Math.Log(0.2)], q = [Math.Log(0.2), Math.Log(0.8)];
        Assert.Equal(0.5, MixtureWeightFitter.Fit(p, q), 6);
    }

    [Fact]
    public void Fit_RandomScores_MaximisesTheLikelihood()
    {
        var random = new Random(4);
        var p = Enumerable.Range(0, 500).Select(_ => Math.Log(random.NextDouble() * 0.5 + 0.01)).ToArray();
        var q = Enumerable.Range(0, 500).Select(_ => Math.Log(random.NextDouble() * 0.3 + 0.01)).ToArray();
        double a = MixtureWeightFitter.Fit(p, q);
        double L(double w) => p.Zip(q).Sum(x => MixtureModel.CombineLog(w, x.First, x.Second));
        Assert.True(L(a) >= L(a - 0.01) && L(a) >= L(a + 0.01), $"a = {a} is not a maximum");
    }

    [Fact]
    public void MixtureModel_Contract_Holds()
    {
        var vocabulary = FixedModel.VocabularyOf(4);
        int[] train = [3, 4, 2, 5, 3, 6, 2, 3, 4, 2];
        using var bigram = new AddOneBigram("bigram", vocabulary, train);
        using var fixedModel = new FixedModel("fixed", vocabulary, [0.1, 0, 0.3, 0.2, 0.2, 0.1, 0.1]);
        using var mixture = new MixtureModel(bigram, fixedModel, 0.3);
        LmCompare.Tests.LanguageModelContract.Check(mixture, [3, 4, 2, 6, 5, 2], 0);
        LmCompare.Tests.LanguageModelContract.CheckBatch(mixture, [[3, 2], [4, 5, 2]]);
    }

    [Fact]
    public void MixtureModel_DifferentVocabularies_Refused() =>
        Assert.Throws<InputException>(() => new MixtureModel(
            new FixedModel("a", FixedModel.VocabularyOf(2), [0.1, 0, 0.2, 0.4, 0.3]),
            new FixedModel("b", FixedModel.VocabularyOf(3), [0.1, 0, 0.2, 0.3, 0.2, 0.2]), 0.5));
}

public class AnalysisTests
{
    private const int Eos = SpecialTokens.SentenceEndId, A = 3, B = 4, C = 5, D = 6;

    [Fact]
    public void Novelty_HandFixture_LongestSeenSuffix()
    {
        int[] train = [A, B, C, Eos, A, B, D, Eos];
        var census = TrainingCensus.Exact(train, new DocumentIndex([0, 8]), 2);
        var novelty = new ContextNoveltyAnalysis(census.NGrams);
        int[] test = [A, B, C, Eos, D, C, Eos];
        var k = novelty.Buckets(test, new DocumentIndex([0, 7]), EvaluationScope.Sentence);
        // line 1: "</s>" seen -> 1; "</s> a" seen -> 2; "</s> a b" seen -> 3; "</s> a b c" never (the first "a b c" opens the document) -> 3
        // line 2: "</s>" -> 1; "d" seen but "</s> d" never -> 1; "c" seen but "d c" never -> 1
        Assert.Equal(new byte[] { 1, 2, 3, 3, 1, 1, 1 }, k);
    }

    [Fact]
    public void Sparsity_HandFixture_DistinctFillAndUnseen()
    {
        int[] train = [A, B, A, B, Eos];
        int[] test = [A, B, B, Eos];
        var docs = new DocumentIndex([0, 5]);
        var census = TrainingCensus.Exact(train, docs, distances: 2);
        var report = SparsityAnalysis.Analyse(7, census, test, new DocumentIndex([0, 4]));

        Assert.Equal(3, report.NGrams[0].Distinct);              // a, b, </s>
        Assert.Equal(3, report.NGrams[1].Distinct);              // ab, ba, b</s>
        Assert.Equal("49", report.NGrams[1].Possible);
        Assert.Equal(3.0 / 49, report.NGrams[1].FillRatio, 12);
        Assert.Equal(1.0 / 3, report.NGrams[1].TestUnseen, 12);  // test bigrams ab (seen), bb (never), b</s> (seen)
        Assert.Equal(3, report.Pairs[1].Distinct);               // distance 2: a..a, b..b, a..</s>
        Assert.Equal(1.0, report.Pairs[1].TestUnseen, 12);       // test: a..b, b..</s>
        // prefixes round(5 x 1/16, 1/8, 1/4, 1/2, 1) = 0, 1, 1, 2, 5 tokens (banker's rounding of 2.5)
        Assert.Equal(new long[] { 0, 1, 1, 2, 5 }, report.Growth.Select(g => g.Tokens).ToArray());
        Assert.Equal(new long[] { 0, 1, 1, 2, 3 }, report.Growth.Select(g => g.NGrams[0]).ToArray());
    }

    [Fact]
    public void FillRatio_CellsBeyondTwoToThe64_ExactCellsAndRatio()
    {
        var possible = System.Numerics.BigInteger.Pow(10_000, 5);
        var row = SparsityAnalysis.Row("ngram", 5, 5, possible, 0.5);
        Assert.Equal("100000000000000000000", row.Possible);     // 1e20 > 2^64 ~ 1.8e19
        Assert.Equal(1.0, row.FillRatio / 5e-20, 12);
        Assert.Equal(0, SparsityAnalysis.FillRatio(0, possible));
    }

    [Fact]
    public void KeyCensus_FirstOccurrences_GrowthInPrefixes()
    {
        int[] train = [A, B, A, C, B, D];
        var unigrams = KeyCensus.OfNGrams(train, new DocumentIndex([0, 6]), 1);
        Assert.Equal(4, unigrams.Distinct);
        Assert.Equal(new long[] { 0, 1, 2, 2, 3, 3, 4 }, Enumerable.Range(0, 7).Select(n => unigrams.DistinctIn(n)).ToArray());
    }
}
