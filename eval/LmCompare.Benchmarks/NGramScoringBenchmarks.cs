using BenchmarkDotNet.Attributes;
using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Counting;
using LmCompare.Counting.NGrams;

namespace LmCompare.Benchmarks;

/// <summary>
/// Scoring with the Kneser-Ney 5-gram built on sotu (whitespace tokens, 90% line block for training): KenLM-style query
/// over the test block (sentence scope, one thread). Tokens/s = test tokens / mean. Target (issue 4): 3M tokens/s
/// (KenLM's query on a probing binary: ~3.0M tokens/s including load).
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 7)]
public class NGramScoringBenchmarks
{
    private NGramModel _model = null!;
    private int[] _test = [];

    [GlobalSetup]
    public void Setup()
    {
        var workspace = BenchmarkData.SotuWorkspace();
        if (!File.Exists(Path.Combine(workspace.ModelsDirectory, "sotu-kn5", "manifest.json")))
            new NGramModelBuilder(workspace).Build("sotu", "sotu-kn5", new KneserNeySettings(5, DiscountFallback: true), ExistingModel.Replace);
        _model = NGramModelLoader.Load(workspace, "sotu-kn5");
        _test = TokenizedCorpus.Open(workspace, "sotu").ReadTokens(Splits.Test);
        Console.WriteLine($"// test tokens: {_test.Length}");
    }

    [Benchmark]
    public double QueryTestSplit() => KenLmPerplexity.Compute(_model, _test).Perplexity;
}
