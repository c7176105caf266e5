using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Counting;
using LmCompare.Counting.Pairs;
using LmCompare.Tests;

namespace LmCompare.Counting.Tests;

/// <summary>Ingested corpora and built models in a temporary workspace.</summary>
public static class PairFixtures
{
    /// <summary>
    /// The 3-sentence fixture: train "a b a" / "b a" / "a b" in one document, so ids a = 3, b = 4 and the stream is
    /// 3 4 3 2 4 3 2 3 4 2 (2 = &lt;/s&gt;).
    /// </summary>
    public static Workspace TinyCorpus(TempDirectory temp)
    {
        var workspace = new Workspace(temp.Combine("home"));
        new CorpusIngestor(workspace).Ingest(new IngestOptions("tiny", [], new TokenizerSettings("whitespace"), new VocabularyOptions(),
            TrainPaths: [temp.Write("src/train.txt", "a b a\nb a\na b\n")],
            ValidPaths: [temp.Write("src/valid.txt", "a b a b a\nb a b\n")],
            TestPaths: [temp.Write("src/test.txt", "a a b c\n")]));
        return workspace;
    }

    /// <summary>Seeded random text from a small Zipf-like vocabulary, several documents per split.</summary>
    public static Workspace RandomCorpus(TempDirectory temp, int seed = 7, int documents = 12, int linesPerDocument = 40, int words = 60)
    {
        var random = new Random(seed);
        var vocabulary = Enumerable.Range(0, words).Select(i => $"w{i}").ToArray();
        string Line() => string.Join(' ',
            Enumerable.Range(0, random.Next(3, 12)).Select(_ => vocabulary[(int)(vocabulary.Length * Math.Pow(random.NextDouble(), 2.5))]));
        var paths = new List<string>();
        for (int d = 0; d < documents; d++)
            paths.Add(temp.Write($"random/doc{d:00}.txt", string.Join('\n', Enumerable.Range(0, linesPerDocument).Select(_ => Line()))));
        var workspace = new Workspace(temp.Combine("home"));
        new CorpusIngestor(workspace).Ingest(new IngestOptions("random", [temp.Combine("random")], new TokenizerSettings("whitespace"),
            new VocabularyOptions(MinCount: 2), Fractions: [0.7, 0.15, 0.15]));
        return workspace;
    }

    public static PairBuildResult Build(Workspace workspace, string corpus, string model, PairModelSettings? settings = null,
        ExistingModel existing = ExistingModel.Refuse) =>
        new PairModelBuilder(workspace).Build(corpus, model, settings ?? new PairModelSettings(Distances: 2, TopK: 3, MemoryBytes: 64L << 20),
            existing);
}
