using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Counting.NGrams;
using LmCompare.Tests;

namespace LmCompare.Counting.Tests;

/// <summary>
/// Hand computation, order 2, sentences "a b" and "a" (ids a = 3, b = 4), fallback discounts 0.5 / 1 / 1.5:
/// bigrams &lt;s&gt; a: 2, a b: 1, b &lt;/s&gt;: 1, a &lt;/s&gt;: 1; unigram continuation counts a: 1, b: 1, &lt;/s&gt;: 2.
/// Unigrams: sum 4, gamma = (0.5 * 2 + 1 * 1) / 4 = 0.5, uniform 1/4 over &lt;unk&gt; &lt;/s&gt; a b:
/// p(a) = p(b) = 0.5/4 + 0.125 = 0.25, p(&lt;/s&gt;) = 1/4 + 0.125 = 0.375, p(&lt;unk&gt;) = 0.125.
/// Bigrams: p(a | &lt;s&gt;) = (2 - 1)/2 + 0.5 * 0.25 = 0.625; p(b | a) = 0.5/2 + 0.5 * 0.25 = 0.375;
/// p(&lt;/s&gt; | a) = 0.25 + 0.5 * 0.375 = 0.4375; p(&lt;/s&gt; | b) = 0.5 + 0.5 * 0.375 = 0.6875; every backoff log10 0.5.
/// </summary>
public class NGramModelTests
{
    private const int A = 3, B = 4, Bos = SpecialTokens.SentenceStartId, Eos = SpecialTokens.SentenceEndId, Unk = SpecialTokens.UnknownId;

    private static NGramModelData HandFixture(out Vocabulary vocabulary)
    {
        vocabulary = Vocabulary.Build([new("a", 2), new("b", 1)], new VocabularyOptions(), sentenceEndCount: 2);
        return KneserNeyEstimator.Estimate([A, B, Eos, A, Eos], vocabulary.Count, new KneserNeySettings(2, DiscountFallback: true));
    }

    private static float Log10(double p) => MathF.Log10((float)p);

    [Fact]
    public void Estimate_Order2Fixture_MatchesHandComputation()
    {
        var data = HandFixture(out _);
        var uni = data.Tables[0];
        var bi = data.Tables[1];
        float Prob(NGramTable t, params int[] w) => t.Prob[t.Find(w)];
        float Backoff(NGramTable t, params int[] w) => t.Backoff[t.Find(w)];

        Assert.Equal([0.5f, 1f, 1.5f], new[] { data.Discounts[0].D1, data.Discounts[0].D2, data.Discounts[0].D3Plus });
        Assert.Equal(Log10(0.25), Prob(uni, A), 9);
        Assert.Equal(Log10(0.25), Prob(uni, B), 9);
        Assert.Equal(Log10(0.375), Prob(uni, Eos), 9);
        Assert.Equal(Log10(0.125), Prob(uni, Unk), 9);
        Assert.Equal(0f, Prob(uni, Bos));
        Assert.Equal(Log10(0.625), Prob(bi, Bos, A), 9);
        Assert.Equal(Log10(0.375), Prob(bi, A, B), 9);
        Assert.Equal(Log10(0.4375), Prob(bi, A, Eos), 9);
        Assert.Equal(Log10(0.6875), Prob(bi, B, Eos), 9);
        Assert.Equal(4, bi.Count);
        foreach (int context in new[] { Bos, A, B }) Assert.Equal(Log10(0.5), Backoff(uni, context), 9);
        Assert.Equal(0f, Backoff(uni, Eos));
    }

    [Fact]
    public void Log10Prob_UnseenBigram_BacksOff()
    {
        var data = HandFixture(out var vocabulary);
        using var model = new NGramModel("m", vocabulary, data, new ModelFootprint(0, 0, 0));

        Assert.Equal(Log10(0.25) + Log10(0.5), model.Log10Prob([Bos], B), 6); // p(b) * backoff(<s>)
        Assert.Equal(Log10(0.625), model.Log10Prob([Bos], A), 9);
        Assert.Equal(Log10(0.125) + Log10(0.5), model.Log10Prob([A], Unk), 6);
    }

    [Theory]
    [InlineData(60)]
    [InlineData(3000)] // rare words: <unk> occurs in training, so contexts ending in it need their backoffs
    public void NextTokenLogProbs_RandomContexts_SumToOneAndAgreeWithScore(int words)
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp, words: words);
        var corpus = TokenizedCorpus.Open(workspace, "random");
        var data = KneserNeyEstimator.Estimate(corpus.ReadTokens(Splits.Train), corpus.Vocabulary.Count, new KneserNeySettings(4, true));
        using var model = new NGramModel("m", corpus.Vocabulary, data, new ModelFootprint(0, 0, 0));
        var random = new Random(5);
        var logProbs = new float[corpus.Vocabulary.Count];
        var contexts = new List<int[]> { Array.Empty<int>(), new[] { Unk, Unk, Unk }, new[] { Eos } };
        for (int i = 0; i < 30; i++)
            contexts.Add(Enumerable.Range(0, random.Next(1, 7)).Select(_ => random.Next(3, corpus.Vocabulary.Count)).ToArray());

        foreach (var context in contexts)
        {
            model.NextTokenLogProbs(context, logProbs);
            double sum = logProbs.Sum(lp => Math.Exp(lp));
            Assert.True(Math.Abs(sum - 1) < 1e-5, $"sum {sum} (probabilities are single precision, as KenLM's)");
            Assert.Equal(float.NegativeInfinity, logProbs[Bos]);
            int target = random.Next(3, corpus.Vocabulary.Count);
            var scored = new double[1];
            model.Score([.. context, target], context.Length, scored);
            Assert.Equal(logProbs[target], scored[0], 4);
        }
    }

    [Fact]
    public void ExportImport_RoundTrip_IdenticalModel()
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp);
        var built = new NGramModelBuilder(workspace).Build("random", "kn", new KneserNeySettings(3, true), ExistingModel.Refuse);
        using var model = NGramModelLoader.Load(workspace, "kn");
        string arpa = temp.Combine("kn.arpa.gz");
        ArpaFile.Write(arpa, model.Data, model.Vocabulary);

        var imported = new NGramModelBuilder(workspace).ImportArpa(arpa, "random", "kn2", ExistingModel.Refuse);
        using var reloaded = NGramModelLoader.Load(workspace, "kn2");
        var test = TokenizedCorpus.Open(workspace, "random").ReadTokens(Splits.Test);
        var a = new double[test.Length];
        var b = new double[test.Length];
        model.Score(test, 0, a);
        reloaded.Score(test, 0, b);

        Assert.Equal(a, b);
        Assert.Equal(built.Manifest.TestPerplexity, imported.Manifest.TestPerplexity);
        Assert.Equal(built.Manifest.NGramCounts, imported.Manifest.NGramCounts);
    }

    [Fact]
    public void Load_ManifestCountsDisagree_FailsNamingTheModelFile()
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp);
        var built = new NGramModelBuilder(workspace).Build("random", "kn", new KneserNeySettings(3, true), ExistingModel.Refuse);
        string manifest = Path.Combine(built.Directory, "manifest.json");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace($"\"nGramCounts\": [\n    {built.Manifest.NGramCounts[0]},",
            $"\"nGramCounts\": [\n    {built.Manifest.NGramCounts[0] + 5},"));

        var error = Assert.Throws<InputException>(() => NGramModelLoader.Load(workspace, "kn"));

        Assert.Contains(NGramModelFile.FileName, error.Message);
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("truncate")]
    public void Load_ModelFileDamaged_RefusedNamingTheFile(string damage)
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp);
        var built = new NGramModelBuilder(workspace).Build("random", "kn", new KneserNeySettings(3, true), ExistingModel.Refuse);
        string file = Path.Combine(built.Directory, NGramModelFile.FileName);
        var bytes = File.ReadAllBytes(file);
        if (damage == "flip") bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(file, damage == "flip" ? bytes : bytes[..^24]);

        var error = Assert.Throws<InputException>(() => NGramModelLoader.Load(workspace, "kn"));

        Assert.Contains(file, error.Message);
        Assert.Contains(damage == "flip" ? "checksum" : "truncated", error.Message);
    }

    [Fact]
    public void Estimate_TinyDataWithoutFallback_ExplainsTheDiscountProblem()
    {
        var vocabulary = Vocabulary.Build([new("a", 2), new("b", 1)], new VocabularyOptions());

        var error = Assert.Throws<InputException>(() => KneserNeyEstimator.Estimate([A, B, Eos, A, Eos], vocabulary.Count, new KneserNeySettings(2)));

        Assert.Contains("--discount-fallback", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(9)]
    public void Settings_OrderOutOfRange_UsageError(int order) =>
        Assert.Throws<UsageException>(() => new KneserNeySettings(order).Validate());
}

public class ArpaFileTests
{
    private const string Good = "\n\\data\\\nngram 1=4\nngram " +
        "2=2\n\n\\1-grams:\n-1.0\t<unk>\t0\n0\t<s>\t-0.3\n-0.5\t</s>\t0\n-0.6\ta\t-0.2\n\n\\2-grams:\n-0.1\t<s> a\n-0.2\ta </s>\n\n\\end\\\n";

    private static Vocabulary Vocabulary() => LmCompare.Core.Vocabulary.Build([new("a", 1)], new VocabularyOptions());

    [Fact]
    public void Read_WellFormed_Loads()
    {
        using var temp = new TempDirectory();
        var data = ArpaFile.Read(temp.Write("m.arpa", Good), Vocabulary());

        Assert.Equal(2, data.Order);
        Assert.Equal(-0.1f, data.Tables[1].Prob[data.Tables[1].Find([1, 3])]);
        Assert.Equal(-0.2f, data.Tables[0].Backoff[data.Tables[0].Find([3])]);
    }

    [Theory]
    [InlineData("ngram 2=2", "ngram 2=3", ":15: \\2-grams: holds 2 entries, \\data\\ says 3")]
    [InlineData("-0.6\ta\t-0.2", "-0.6x\ta\t-0.2", ":10: '-0.6x' is not a number")]
    [InlineData("-0.6\ta\t-0.2", "0.25\ta\t-0.2", ":10: log10 probability 0.25 is above 0")]
    [InlineData("-0.1\t<s> a", "nan\t<s> a", ":13: log10 probability nan is above 0 or not a number")]
    [InlineData("-0.1\t<s> a", "Infinity\t<s> a", ":13: log10 probability Infinity is above 0")]
    [InlineData("-0.6\ta\t-0.2", "-0.6\ta\t-Infinity", ":10: log10 backoff -Infinity is not a finite number")]
    [InlineData("\\2-grams:\n-0.1\t<s> a\n-0.2\ta </s>\n\n", "", "expected \\2-grams:")]
    [InlineData("\\end\\\n", "", "missing \\end\\")]
    [InlineData("-0.2\ta </s>", "-0.2\tzebra </s>", ":14: word 'zebra' is not in the unigram section")]
    [InlineData("-0.2\ta </s>", "-0.2\t<s> a", ":14: duplicate 2-gram '<s> a'")]
    public void Read_Malformed_NamesFileAndLine(string replace, string with, string expected)
    {
        using var temp = new TempDirectory();
        string path = temp.Write("bad.arpa", Good.Replace(replace, with));

        var error = Assert.Throws<InputException>(() => ArpaFile.Read(path, Vocabulary()));

        Assert.Contains("bad.arpa", error.Message);
        Assert.Contains(expected, error.Message);
    }
}
