using LmCompare.Core;
using LmCompare.Core.Embeddings;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Counting.Pairs;
using LmCompare.Tests;

namespace LmCompare.Counting.Tests;

public class PairEmbeddingsTests
{
    [Fact]
    public void Compute_TwoWordsWithIdenticalContexts_AreEachOthersNearestNeighbour()
    {
        using var temp = new TempDirectory();
        var random = new Random(6);
        string[] words = [.. Enumerable.Range(0, 40).Select(i => $"w{i}")];
        var lines = new List<string>();
        for (int i = 0; i < 400; i++)
        {
            var line = Enumerable.Range(0, random.Next(3, 9)).Select(_ => words[random.Next(words.Length)]).ToList();
            if (i % 4 == 0)
            {
                // the planted pair: every line with "king" has a twin with "queen" in its place
                line.Insert(random.Next(line.Count), "king");
                lines.Add(string.Join(' ', line));
                lines.Add(string.Join(' ', line).Replace("king", "queen"));
            }
            else lines.Add(string.Join(' ', line));
        }
        temp.Write("text/doc.txt", string.Join('\n', lines));
        var workspace = new Workspace(temp.Combine("home"));
        new CorpusIngestor(workspace).Ingest(new IngestOptions("planted", [temp.Combine("text")], new TokenizerSettings("whitespace"),
            new VocabularyOptions()));
        var corpus = TokenizedCorpus.Open(workspace, "planted");
        using var model = PairModelBuilder.BuildInMemory("p", corpus.Vocabulary, corpus.ReadTokens(Splits.Train), corpus.ReadDocuments(Splits.Train),
            corpus.ReadTokens(Splits.Valid), corpus.ReadDocuments(Splits.Valid), new PairModelSettings(Distances: 3));

        var vectors = PairEmbeddings.Compute(model.Probabilities.Tables, dimensions: 16);
        var space = new EmbeddingSpace("pairs", corpus.Vocabulary, vectors, 16, minCandidateCount: 1);

        Assert.Equal("queen", space.Neighbours("king", 1)[0].Word);
        Assert.Equal("king", space.Neighbours("queen", 1)[0].Word);
        Assert.True(space.Neighbours("king",
            1)[0].Cosine > 0.9); // not 1: at distances past the line start the twins differ (the queen line follows its king line)
    }

    [Fact]
    public void LoadOrCompute_CachesVectors_AndRecomputesADamagedCache()
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp);
        var built = PairFixtures.Build(workspace, "random", "p");
        using var model = PairModelLoader.Load(workspace, "p");
        var first = PairEmbeddings.LoadOrCompute(built.Directory, model.Probabilities.Tables, out int d1);
        Assert.True(File.Exists(Path.Combine(built.Directory, PairEmbeddings.CacheFile)));
        var cached = PairEmbeddings.LoadOrCompute(built.Directory, model.Probabilities.Tables, out int d2);
        Assert.Equal(d1, d2);
        Assert.Equal(first, cached);
        File.WriteAllBytes(Path.Combine(built.Directory, PairEmbeddings.CacheFile), [0x4C, 0x4D, 0x43]); // truncated
        Assert.Equal(first, PairEmbeddings.LoadOrCompute(built.Directory, model.Probabilities.Tables, out _));
    }
}
