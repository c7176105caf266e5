using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Evaluation.Metrics;
using LmCompare.Evaluation.Reports;
using LmCompare.Tests;

namespace LmCompare.Evaluation.Tests;

/// <summary>A tiny but complete evaluation: a seeded random corpus, two models and their mixture, a learning curve.</summary>
public static class ReportFixture
{
    public static EvaluationReport TinyReport(TempDirectory temp)
    {
        var random = new Random(9);
        string[] words = ["the", "cat", "sat", "on", "a", "mat", "dog", "ran", "far", "home", "and", "slept"];
        for (int doc = 0; doc < 8; doc++)
        {
            var lines = Enumerable.Range(0,
                30).Select(_ => string.Join(' ', Enumerable.Range(0, random.Next(3, 9)).Select(_ => words[random.Next(words.Length)])));
            temp.Write($"text/doc{doc}.txt", string.Join('\n', lines) + "\n");
        }
        var workspace = new Workspace(temp.Combine("home"));
        new CorpusIngestor(workspace).Ingest(new IngestOptions("tiny", [temp.Combine("text")], new TokenizerSettings("word"), new VocabularyOptions(),
            Fractions: [0.5, 0.25, 0.25]));
        var corpus = TokenizedCorpus.Open(workspace, "tiny");
        var train = corpus.ReadTokens(Splits.Train);
        using var bigram = new AddOneBigram("bigram", corpus.Vocabulary, train);
        var uniform = Enumerable.Repeat(1.0 / (corpus.Vocabulary.Count - 1), corpus.Vocabulary.Count).ToArray();
        uniform[SpecialTokens.SentenceStartId] = 0;
        using var flat = new FixedModel("uniform", corpus.Vocabulary, uniform);
        var models = new List<EvaluatedModel>
        {
            new(bigram, "bigram", new Dictionary<string, string> { ["build seconds"] = "0.1" }),
            new(flat, "uniform", new Dictionary<string, string>()),
        };
        var report = new CorpusEvaluation(corpus).Evaluate(models, new EvaluationSettings(Mixtures: [("bigram", "uniform")], Distances: 3));
        var curve = LearningCurves.ForCountModel("bigram", "bigram", (prefix, _) => new AddOneBigram("bigram", corpus.Vocabulary, prefix),
            train, corpus.ReadDocuments(Splits.Train), corpus.ReadTokens(Splits.Valid), corpus.ReadDocuments(Splits.Valid));
        var random2 = new Random(2);
        var space = new LmCompare.Core.Embeddings.EmbeddingSpace("random vectors", corpus.Vocabulary,
            Enumerable.Range(0, corpus.Vocabulary.Count * 4).Select(_ => (float)random2.NextDouble() - 0.5f).ToArray(), 4, minCandidateCount: 1);
        var neighbours = Analysis.WordVectorComparison.Compare([space], ["cat", "dog"], 3);
        return report with { Curves = [curve], Neighbours = neighbours, Settings = new Dictionary<string, string> { ["command"] = "test fixture" } };
    }
}
