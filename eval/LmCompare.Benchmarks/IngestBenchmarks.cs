using BenchmarkDotNet.Attributes;
using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Corpus.Tokenizers;

namespace LmCompare.Benchmarks;

/// <summary>
/// Tokenising and ingesting sotu (2,062,018 tokens with the word tokenizer, one thread). Tokens/s = 2,062,018 / mean.
/// Target (issue 2): word tokenizer + vocabulary + .bin writing at 3M tokens/s or more on one core.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 7)]
[MemoryDiagnoser]
public class IngestBenchmarks
{
    private string _directory = "";
    private string _text = "";
    private string[] _lines = [];

    [Params("word", "whitespace")]
    public string Tokenizer { get; set; } = "word";

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "lmc-bench-ingest");
        Directory.CreateDirectory(_directory);
        _text = BenchmarkData.SotuPlainText(_directory);
        _lines = File.ReadAllLines(_text);
    }

    /// <summary>Tokenizer alone over lines in memory.</summary>
    [Benchmark]
    public long TokenizeOnly()
    {
        var tokenizer = TokenizerFactory.Create(new TokenizerSettings(Tokenizer));
        var buffer = new TokenBuffer();
        long tokens = 0;
        foreach (string line in _lines)
        {
            tokenizer.Tokenize(line, buffer);
            tokens += buffer.Count;
        }
        return tokens;
    }

    /// <summary>The whole pipeline from a plain text file: read, tokenize, vocabulary, remap, write .bin, manifest.</summary>
    [Benchmark]
    public long IngestFile()
    {
        var workspace = new Workspace(Path.Combine(_directory, "home"));
        var options = new IngestOptions("sotu", [], new TokenizerSettings(Tokenizer), new VocabularyOptions(), TrainPaths: [_text], Force: true);
        return new CorpusIngestor(workspace).Ingest(options).TotalTokens;
    }
}
