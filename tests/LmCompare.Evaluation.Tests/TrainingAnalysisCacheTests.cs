using System.Text.Json;
using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Evaluation.Analysis;
using LmCompare.Evaluation.Reports;
using LmCompare.Tests;

namespace LmCompare.Evaluation.Tests;

public class TrainingAnalysisCacheTests
{
    /// <summary>A seeded corpus of eight documents and an add-one bigram model of its training split.</summary>
    private static (TokenizedCorpus Corpus, AddOneBigram Model) Fixture(TempDirectory temp)
    {
        var random = new Random(4);
        string[] words = ["the", "cat", "sat", "on", "a", "mat", "dog", "ran", "far", "home"];
        for (int doc = 0; doc < 8; doc++)
            temp.Write($"text/doc{doc}.txt", string.Join('\n', Enumerable.Range(0, 40)
                .Select(_ => string.Join(' ', Enumerable.Range(0, random.Next(3, 9)).Select(_ => words[random.Next(words.Length)])))) + "\n");
        var workspace = new Workspace(temp.Combine("home"));
        new CorpusIngestor(workspace).Ingest(new IngestOptions("tiny", [temp.Combine("text")], new TokenizerSettings("word"),
            new VocabularyOptions(), Fractions: [0.5, 0.25, 0.25]));
        var corpus = TokenizedCorpus.Open(workspace, "tiny");
        return (corpus, new AddOneBigram("bigram", corpus.Vocabulary, corpus.ReadTokens(Splits.Train)));
    }

    private static EvaluationReport Evaluate(TokenizedCorpus corpus, ILanguageModel model, EvaluationSettings settings) =>
        new CorpusEvaluation(corpus).Evaluate([new EvaluatedModel(model, "bigram", new Dictionary<string, string>())], settings);

    /// <summary>Every figure the analyses feed, as one string.</summary>
    private static string AnalysisFigures(EvaluationReport r) => JsonSerializer.Serialize(new { r.Sparsity, r.NoveltyShares,
        novelty = r.Models.Select(m => m.Novelty) }, EvaluationReport.Json);

    [Fact]
    public void Evaluate_SecondRun_ReadsTheKeptAnalysis_SameFigures()
    {
        using var temp = new TempDirectory();
        var (corpus, model) = Fixture(temp);
        using var _ = model;
        var settings = new EvaluationSettings(Distances: 3, MixFitTokens: 100);

        var first = Evaluate(corpus, model, settings);
        var second = Evaluate(corpus, model, settings);

        Assert.False(first.TrainingAnalysisCached);
        Assert.True(File.Exists(TrainingAnalysisCache.PathOf(corpus, "test", 3)));
        Assert.True(second.TrainingAnalysisCached);
        Assert.Equal(AnalysisFigures(first), AnalysisFigures(second));
        Assert.Equal(first.Models[0].Perplexity, second.Models[0].Perplexity);
    }

    [Fact]
    public void Evaluate_RecomputeAsked_ComputesAgain_SameFigures()
    {
        using var temp = new TempDirectory();
        var (corpus, model) = Fixture(temp);
        using var _ = model;
        var first = Evaluate(corpus, model, new EvaluationSettings(Distances: 3));

        var again = Evaluate(corpus, model, new EvaluationSettings(Distances: 3, ReuseAnalysis: false));

        Assert.False(again.TrainingAnalysisCached);
        Assert.Equal(AnalysisFigures(first), AnalysisFigures(again));
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("truncate")]
    [InlineData("empty")]
    [InlineData("foreign")]
    public void TryRead_DamagedFile_Ignored_AndTheNextRunComputesAndKeepsItAgain(string damage)
    {
        using var temp = new TempDirectory();
        var (corpus, model) = Fixture(temp);
        using var _ = model;
        var first = Evaluate(corpus, model, new EvaluationSettings(Distances: 3));
        string path = TrainingAnalysisCache.PathOf(corpus, "test", 3);
        var bytes = File.ReadAllBytes(path);
        long tokens = first.Tokens;
        switch (damage)
        {
            case "flip": bytes[bytes.Length / 2] ^= 0x10; File.WriteAllBytes(path, bytes); break;
            case "truncate": File.WriteAllBytes(path, bytes[..^7]); break;
            case "empty": File.WriteAllBytes(path, []); break;
            default: File.WriteAllText(path, "not an analysis at all, but long enough to pass the length checks"); break;
        }

        Assert.Null(TrainingAnalysisCache.TryRead(corpus, "test", 3, tokens, exactWithinBudget: true));
        var again = Evaluate(corpus, model, new EvaluationSettings(Distances: 3));
        Assert.False(again.TrainingAnalysisCached);
        Assert.Equal(AnalysisFigures(first), AnalysisFigures(again));
        Assert.NotNull(TrainingAnalysisCache.TryRead(corpus, "test", 3, tokens, exactWithinBudget: true));
    }

    [Fact]
    public void TryRead_EstimatedAnalysisKept_NotUsedByARunThatHoldsTheKeysExactly()
    {
        using var temp = new TempDirectory();
        var (corpus, model) = Fixture(temp);
        using var _ = model;
        var estimated = Evaluate(corpus, model, new EvaluationSettings(Distances: 3, MemoryBytes: 1));
        Assert.True(estimated.Sparsity!.DistinctEstimated);

        Assert.NotNull(TrainingAnalysisCache.TryRead(corpus, "test", 3, estimated.Tokens, exactWithinBudget: false));
        Assert.Null(TrainingAnalysisCache.TryRead(corpus, "test", 3, estimated.Tokens, exactWithinBudget: true));
        var exact = Evaluate(corpus, model, new EvaluationSettings(Distances: 3));
        Assert.False(exact.TrainingAnalysisCached);
        Assert.False(exact.Sparsity!.DistinctEstimated);
        Assert.True(Evaluate(corpus, model, new EvaluationSettings(Distances: 3, MemoryBytes: 1)).TrainingAnalysisCached); // exact serves any budget
    }

    [Fact]
    public void TryRead_OtherSplitOrDistancesOrLength_Null()
    {
        using var temp = new TempDirectory();
        var (corpus, model) = Fixture(temp);
        using var _ = model;
        var report = Evaluate(corpus, model, new EvaluationSettings(Distances: 3));

        Assert.Null(TrainingAnalysisCache.TryRead(corpus, "valid", 3, report.Tokens, true));
        Assert.Null(TrainingAnalysisCache.TryRead(corpus, "test", 4, report.Tokens, true));
        Assert.Null(TrainingAnalysisCache.TryRead(corpus, "test", 3, report.Tokens + 1, true));
        File.Copy(TrainingAnalysisCache.PathOf(corpus, "test", 3), TrainingAnalysisCache.PathOf(corpus, "test", 4));
        Assert.Null(TrainingAnalysisCache.TryRead(corpus, "test", 4, report.Tokens, true)); // its header says N = 3
    }
}
