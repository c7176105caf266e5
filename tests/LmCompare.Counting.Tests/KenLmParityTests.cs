using System.IO.Compression;
using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Counting.NGrams;
using LmCompare.Tests;
using Xunit.Abstractions;

namespace LmCompare.Counting.Tests;

/// <summary>
/// Parity with KenLM (lmplz + query) on the Brown files shipped in corpora/brown, with the reference figures of the
/// project's shared reference notes: whitespace tokens, every training word in the vocabulary, --discount_fallback.
/// </summary>
public class KenLmParityTests(ITestOutputHelper output)
{
    private static string Brown(string file) => Path.Combine(RepositoryPaths.Corpora, "brown", file);

    private static string Fixture(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", file);

    private static TokenizedCorpus IngestBrown(TempDirectory temp, int? trainLines = null, int minCount = 1)
    {
        string train = Brown("brown.train.txt.gz");
        if (trainLines is { } lines)
        {
            using var reader = new StreamReader(new GZipStream(File.OpenRead(train), CompressionMode.Decompress));
            train = temp.Write("train-small.txt", string.Join('\n', Enumerable.Range(0, lines).Select(_ => reader.ReadLine())) + "\n");
        }
        var workspace = new Workspace(temp.Combine("home"));
        new CorpusIngestor(workspace).Ingest(new IngestOptions("brown", [], new TokenizerSettings("whitespace"), new VocabularyOptions(minCount),
            TrainPaths: [train], ValidPaths: [Brown("brown.valid.txt.gz")], TestPaths: [Brown("brown.test.txt.gz")]));
        return TokenizedCorpus.Open(workspace, "brown");
    }

    [Theory]
    [InlineData(2, "brown-small.o2.kenlm.arpa.gz")]
    [InlineData(3, "brown-small.o3.kenlm.arpa.gz")]
    public void Estimate_First3000Lines_EveryProbabilityAndBackoffEqualsKenLm(int order, string arpa)
    {
        using var temp = new TempDirectory();
        var corpus = IngestBrown(temp, trainLines: 3000);

        var ours = KneserNeyEstimator.Estimate(corpus.ReadTokens(Splits.Train), corpus.Vocabulary.Count,
            new KneserNeySettings(order, DiscountFallback: true));
        var reference = ArpaFile.Read(Fixture(arpa), corpus.Vocabulary);

        for (int k = 1; k <= order; k++)
        {
            var a = ours.Tables[k - 1];
            var b = reference.Tables[k - 1];
            Assert.Equal(b.Count, a.Count);
            int mismatches = 0;
            double worst = 0;
            for (int i = 0; i < b.Count; i++)
            {
                int j = a.Find(b.Words(i));
                Assert.True(j >= 0, $"{k}-gram {string.Join(' ', b.Words(i).ToArray().Select(w => corpus.Vocabulary[w]))} missing");
                double diff = Math.Max(Math.Abs(a.Prob[j] - b.Prob[i]), Math.Abs(a.Backoff[j] - b.Backoff[i]));
                if (diff > 0) mismatches++;
                worst = Math.Max(worst, diff);
            }
            output.WriteLine($"order {k}: {b.Count} n-grams, {mismatches} differ, worst {worst:g3}");
            Assert.Equal(0, mismatches); // bit-identical single-precision values
        }
    }

    [Theory]
    [Trait("Category", "Slow")]
    [InlineData(3, 379.1726, 261.0369)]
    [InlineData(5, 376.3565, 259.1331)]
    public void BrownTest_PerplexityMatchesKenLmTo4Decimals(int order, double including, double excluding)
    {
        using var temp = new TempDirectory();
        var corpus = IngestBrown(temp);
        var data = KneserNeyEstimator.Estimate(corpus.ReadTokens(Splits.Train), corpus.Vocabulary.Count,
            new KneserNeySettings(order, DiscountFallback: true));
        using var model = new NGramModel("kn", corpus.Vocabulary, data, new ModelFootprint(0, 0, 0));

        var result = KenLmPerplexity.Compute(model, corpus.ReadTokens(Splits.Test));

        output.WriteLine($"order {order}: {result.Perplexity:F6} / {result.PerplexityExclOov:F6}, {result.Oov} OOV, {result.Tokens} tokens");
        Assert.Equal(171297, result.Tokens);
        Assert.Equal(7664, result.Oov);
        Assert.Equal(including, Math.Round(result.Perplexity, 4));
        Assert.Equal(excluding, Math.Round(result.PerplexityExclOov, 4));
    }

    /// <summary>
    /// The closed-vocabulary setting of the shared reference notes (training words seen once, and unseen test words, become
    /// one token): KenLM's figures over all 171,297 test tokens, to 1e-5 relative. Not bit-exact by construction: KenLM's
    /// files keep its own &lt;unk&gt; beside the replacement token, one more unigram in the uniform distribution than here,
    /// where the replacement is &lt;unk&gt; itself.
    /// </summary>
    [Theory]
    [Trait("Category", "Slow")]
    [InlineData(2, 204.8418)]
    [InlineData(3, 195.6499)]
    [InlineData(5, 194.3043)]
    public void BrownClosedVocabulary_PerplexityMatchesKenLm(int order, double expected)
    {
        using var temp = new TempDirectory();
        var corpus = IngestBrown(temp, minCount: 2);
        var data = KneserNeyEstimator.Estimate(corpus.ReadTokens(Splits.Train), corpus.Vocabulary.Count,
            new KneserNeySettings(order, DiscountFallback: true));
        using var model = new NGramModel("kn", corpus.Vocabulary, data, new ModelFootprint(0, 0, 0));

        var result = KenLmPerplexity.Compute(model, corpus.ReadTokens(Splits.Test));

        output.WriteLine($"order {order}: {result.Perplexity:F6}");
        Assert.Equal(171297, result.Tokens);
        Assert.True(Math.Abs(result.Perplexity - expected) / expected < 1e-5, $"{result.Perplexity:F6} vs KenLM {expected}");
    }

    /// <summary>The same KenLM figures from a model built as <c>lmc ngram build</c> builds it and scored in place from its
    /// mapped <c>ngrams.probing</c> and from <c>ngrams.trie</c> (<c>--format trie</c>), as <c>lmc ngram eval</c> scores.</summary>
    [Theory]
    [Trait("Category", "Slow")]
    [InlineData(3, 379.1726, 261.0369)]
    [InlineData(5, 376.3565, 259.1331)]
    public void BrownTest_OnTheProbingFile_PerplexityMatchesKenLmTo4Decimals(int order, double including, double excluding)
    {
        using var temp = new TempDirectory();
        var corpus = IngestBrown(temp);
        var workspace = new Workspace(temp.Combine("home"));
        new NGramModelBuilder(workspace).Build("brown", "kn", new KneserNeySettings(order, DiscountFallback: true, Format: KneserNeySettings.Probing),
            ExistingModel.Refuse);
        new NGramModelBuilder(workspace).Build("brown", "kt", new KneserNeySettings(order, DiscountFallback: true, Format: "trie"),
            ExistingModel.Refuse);
        using var model = NGramModelLoader.OpenScoring(workspace, "kn", 0);
        using var trie = NGramModelLoader.OpenScoring(workspace, "kt", 0);

        foreach (var scored in new[] { model, trie })
        {
            var result = KenLmPerplexity.Compute(scored, corpus.ReadTokens(Splits.Test));
            scored.EnsureIntact();
            Assert.Equal(171297, result.Tokens);
            Assert.Equal(7664, result.Oov);
            Assert.Equal(including, Math.Round(result.Perplexity, 4));
            Assert.Equal(excluding, Math.Round(result.PerplexityExclOov, 4));
        }
        Assert.IsType<NGrams.Mapped.ProbingNGramModel>(model);
        Assert.IsType<NGrams.Mapped.TrieNGramModel>(trie);
    }
}
