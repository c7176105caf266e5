using BenchmarkDotNet.Attributes;
using LmCompare.Core;
using LmCompare.Counting.NGrams;
using LmCompare.Counting.NGrams.Mapped;

namespace LmCompare.Benchmarks;

/// <summary>
/// Stage binary of <c>lmc ngram build</c> on sotu's Kneser-Ney 5-gram (whitespace tokens, 90% line block for training):
/// each scored-in-place file written from the model's <c>ngrams.bin</c> (page-cached, as it is right after stage store),
/// one writer per benchmark, the build's share of a 1 GB budget each. The build runs both on two cores, so the stage
/// takes about the slower of the two.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 7)]
public class ModelFileWriterBenchmarks
{
    private string _source = "", _target = "";
    private long[] _counts = [];
    private int _vocabulary;

    [GlobalSetup]
    public void Setup()
    {
        var workspace = BenchmarkData.SotuWorkspace();
        if (!File.Exists(Path.Combine(workspace.ModelsDirectory, "sotu-kn5", "manifest.json")))
            new NGramModelBuilder(workspace).Build("sotu", "sotu-kn5", new KneserNeySettings(5, DiscountFallback: true), ExistingModel.Replace);
        var manifest = NGramModelLoader.ReadManifest(workspace, "sotu-kn5").Manifest;
        _source = Path.Combine(workspace.ModelsDirectory, "sotu-kn5", NGramModelFile.FileName);
        (_counts, _vocabulary) = (manifest.NGramCounts, manifest.VocabularySize);
        _target = Path.Combine(Path.GetTempPath(), "lmc-bench-models", "written");
        Console.WriteLine($"// n-grams: {_counts.Sum():N0}");
    }

    [Benchmark]
    public void Trie() => TrieWriter.Write(_source, _counts, _vocabulary, _target, 256L << 20);

    [Benchmark]
    public bool Probing() => ProbingWriter.Write(_source, _counts, _vocabulary, _target, 256L << 20);

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_target);
}
