using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Counting.NGrams;
using LmCompare.Tests;

namespace LmCompare.Counting.Tests.Streaming;

/// <summary>The bounded-memory (streaming) estimate must give exactly the model of the in-memory one.</summary>
public class StreamingEstimateTests
{
    /// <summary>Same n-grams with the same probabilities and backoffs (and counts, unless the expectation is an ARPA file, which has none).</summary>
    private static void AssertSameModel(NGramModelData expected, NGramModelData actual, bool compareCounts = true)
    {
        Assert.Equal(expected.Order, actual.Order);
        for (int k = 1; k <= expected.Order; k++)
        {
            var a = expected.Tables[k - 1];
            var b = actual.Tables[k - 1];
            Assert.Equal(a.Count, b.Count);
            for (int i = 0; i < a.Count; i++)
            {
                int j = b.Find(a.Words(i));
                Assert.True(j >= 0, $"{k}-gram {i} missing");
                Assert.Equal(a.Prob[i], b.Prob[j]);
                Assert.Equal(a.Backoff[i], b.Backoff[j]);
                if (compareCounts) Assert.Equal(a.Adjusted[i], b.Adjusted[j]);
            }
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    public void Build_Streaming_IdenticalToInMemory(int partitions)
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp, documents: 15, linesPerDocument: 80, words: 800);
        new NGramModelBuilder(workspace).Build("random", "whole", new KneserNeySettings(4, true), ExistingModel.Refuse);
        var partitioned = new NGramModelBuilder(workspace).Build("random", "partitioned", new KneserNeySettings(4, true, Partitions: partitions),
            ExistingModel.Refuse);

        using var a = NGramModelLoader.Load(workspace, "whole");
        using var b = NGramModelLoader.Load(workspace, "partitioned");

        AssertSameModel(a.Data, b.Data);
        Assert.Null(partitioned.Manifest.TestPerplexity); // not held whole at build time; lmc ngram eval computes it
        Assert.False(Directory.Exists(Path.Combine(partitioned.Directory, NGramModelBuilder.EstimateFolder)));
        Assert.False(Directory.Exists(Path.Combine(partitioned.Directory,
            LmCompare.Counting.Backends.SortedRuns.SortedRunCountingBackend.WorkFolder)));
        var test = TokenizedCorpus.Open(workspace, "random").ReadTokens(Splits.Test);
        Assert.Equal(KenLmPerplexity.Compute(a, test).Perplexity, KenLmPerplexity.Compute(b, test).Perplexity);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void Build_StreamingAndInMemory_ByteIdenticalArpa(int order)
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp, documents: 10, linesPerDocument: 60, words: 500);
        var builder = new NGramModelBuilder(workspace);
        builder.Build("random", "whole", new KneserNeySettings(order, true), ExistingModel.Refuse);
        // 1 MB: chunks of 4,096 positions (several runs per order) and sorts that spill
        builder.Build("random", "parts", new KneserNeySettings(order, true, MemoryBytes: 1 << 20, Partitions: 4), ExistingModel.Refuse);

        string Arpa(string name)
        {
            using var model = NGramModelLoader.Load(workspace, name);
            ArpaFile.Write(temp.Combine(name + ".arpa"), model.Data, model.Vocabulary);
            return temp.Combine(name + ".arpa");
        }

        Assert.Equal(File.ReadAllBytes(Arpa("whole")), File.ReadAllBytes(Arpa("parts")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(workspace.ModelsDirectory, "whole", NGramModelFile.FileName)), // one canonical order
            File.ReadAllBytes(Path.Combine(workspace.ModelsDirectory, "parts", NGramModelFile.FileName)));
    }

    [Fact]
    public void Build_StreamingOnBrownSample_EqualsKenLmArpa()
    {
        using var temp = new TempDirectory();
        string train = Path.Combine(RepositoryPaths.Corpora, "brown", "brown.train.txt.gz");
        using (var reader = new StreamReader(new System.IO.Compression.GZipStream(File.OpenRead(train),
            System.IO.Compression.CompressionMode.Decompress)))
            temp.Write("small.txt", string.Join('\n', Enumerable.Range(0, 3000).Select(_ => reader.ReadLine())) + "\n");
        var workspace = new Workspace(temp.Combine("home"));
        new CorpusIngestor(workspace).Ingest(new IngestOptions("b", [], new LmCompare.Core.TokenizerSettings("whitespace"),
            new LmCompare.Core.VocabularyOptions(),
            TrainPaths: [temp.Combine("small.txt")], ValidPaths: [Path.Combine(RepositoryPaths.Corpora, "brown", "brown.valid.txt.gz")]));

        new NGramModelBuilder(workspace).Build("b", "m", new KneserNeySettings(3, true, Partitions: 3), ExistingModel.Refuse);
        using var model = NGramModelLoader.Load(workspace, "m");
        var reference = ArpaFile.Read(Path.Combine(AppContext.BaseDirectory, "Fixtures", "brown-small.o3.kenlm.arpa.gz"), model.Vocabulary);

        AssertSameModel(reference, model.Data, compareCounts: false);
    }

    [Fact]
    public void PartitionsFor_BudgetDecides()
    {
        Assert.Equal(1, new KneserNeySettings(5, MemoryBytes: 1L << 30).PartitionsFor(2_000_000));
        Assert.Equal(3, new KneserNeySettings(5, MemoryBytes: 256L << 20).PartitionsFor(2_000_000)); // 800 MB estimate
        Assert.Equal(256, new KneserNeySettings(5, MemoryBytes: 1L << 20).PartitionsFor(2_000_000));
    }
}
