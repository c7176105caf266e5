using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Counting.NGrams;
using LmCompare.Counting.Pairs;
using LmCompare.Tests;

namespace LmCompare.Counting.Tests;

/// <summary>The shared <see cref="LanguageModelContract"/> for both count models, on a seeded random corpus.</summary>
public class LanguageModelContractTests
{
    private static int[] Sample(TokenizedCorpus corpus, int length) => corpus.ReadTokens(Splits.Test)[..length];

    private static List<int[]> Lines(TokenizedCorpus corpus, int count)
    {
        var test = corpus.ReadTokens(Splits.Test);
        var lines = new List<int[]>();
        int start = 0;
        for (int i = 0; i < test.Length && lines.Count < count; i++)
            if (test[i] == SpecialTokens.SentenceEndId) { lines.Add(test[start..(i + 1)]); start = i + 1; }
        return lines;
    }

    [Fact]
    public void PairDistanceModel_Contract_Holds()
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp, words: 300);
        PairFixtures.Build(workspace, "random", "p", new PairModelSettings(Distances: 4, TopK: 5, MemoryBytes: 64L << 20));
        using var model = PairModelLoader.Load(workspace, "p");
        var corpus = TokenizedCorpus.Open(workspace, "random");
        LanguageModelContract.Check(model, Sample(corpus, 40), 0);
        LanguageModelContract.Check(model, Sample(corpus, 40), 25);
        LanguageModelContract.CheckBatch(model, Lines(corpus, 5));
    }

    [Theory]
    [InlineData(3, false)]
    [InlineData(5, false)]
    [InlineData(4, true)]
    public void NGramModel_Contract_Holds(int order, bool wholeVocabulary)
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp, words: 300);
        var corpus = TokenizedCorpus.Open(workspace, "random");
        var train = corpus.ReadTokens(Splits.Train);
        // with the whole vocabulary, a short prefix of the training data (ids missing from it still get mass)
        var data = KneserNeyEstimator.Estimate(wholeVocabulary ? train[..400] : train, corpus.Vocabulary.Count,
            new KneserNeySettings(order, DiscountFallback: true, WholeVocabulary: wholeVocabulary));
        using var model = new NGramModel("kn", corpus.Vocabulary, data, new ModelFootprint(0, 0, 0));
        LanguageModelContract.Check(model, Sample(corpus, 40), 0);
        LanguageModelContract.Check(model, Sample(corpus, 40), 17);
        LanguageModelContract.CheckBatch(model, Lines(corpus, 5));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void TrieNGramLanguageModel_Contract_Holds(int order)
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp, words: 300);
        new NGramModelBuilder(workspace).Build("random", "kn", new KneserNeySettings(order, DiscountFallback: true), ExistingModel.Refuse);
        var corpus = TokenizedCorpus.Open(workspace, "random");
        using var model = NGramModelLoader.OpenMapped(workspace, "kn");
        LanguageModelContract.Check(model, Sample(corpus, 40), 0);
        LanguageModelContract.Check(model, Sample(corpus, 40), 17);
        LanguageModelContract.CheckBatch(model, Lines(corpus, 5));
        model.EnsureIntact();
    }
}
