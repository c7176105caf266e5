using BenchmarkDotNet.Attributes;
using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Counting;
using LmCompare.Counting.Pairs;

namespace LmCompare.Benchmarks;

/// <summary>
/// Scoring with the pair-distance model (N = 8) built on sotu (whitespace tokenizer): Score over the whole test split,
/// document-scoped, one thread. Tokens/s = test tokens / mean. Target (issue 3): at least 1M tokens/s.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 7)]
public class PairScoringBenchmarks
{
    private PairDistanceModel _model = null!;
    private int[] _test = [];
    private DocumentIndex _documents = null!;

    [GlobalSetup]
    public void Setup()
    {
        var workspace = BenchmarkData.SotuWorkspace();
        if (!File.Exists(Path.Combine(workspace.ModelsDirectory, "sotu-pairs", "manifest.json")))
            new PairModelBuilder(workspace).Build("sotu", "sotu-pairs", new PairModelSettings(), ExistingModel.Replace);
        _model = PairModelLoader.Load(workspace, "sotu-pairs");
        var corpus = TokenizedCorpus.Open(workspace, "sotu");
        _test = corpus.ReadTokens(Splits.Test);
        _documents = corpus.ReadDocuments(Splits.Test);
        Console.WriteLine($"// test tokens: {_test.Length}");
    }

    [Benchmark]
    public double ScoreTestSplit() => DocumentPerplexity.Compute(_model, _test, _documents).Perplexity;
}
