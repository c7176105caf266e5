using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Counting.NGrams;
using LmCompare.Tests;

namespace LmCompare.Counting.Tests;

public class NGramFileModelTests
{
    [Theory]
    [InlineData(1, false, 1L << 30)]
    [InlineData(2, false, 0)]          // nothing cached: every lookup reads a block
    [InlineData(3, true, 1L << 30)]
    [InlineData(5, false, 0)]
    [InlineData(5, true, 200_000)]     // the lowest orders cached, the rest from disk
    public void Compute_FromFile_EqualsTheLoadedModelBitForBit(int order, bool streaming, long cache)
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp, documents: 10, linesPerDocument: 60, words: 500);
        new NGramModelBuilder(workspace).Build("random", "kn", new KneserNeySettings(order, true, Partitions: streaming ? 3 : null),
            ExistingModel.Refuse);
        var corpus = TokenizedCorpus.Open(workspace, "random");

        using var loaded = NGramModelLoader.Load(workspace, "kn");
        using var mapped = NGramModelLoader.OpenFile(workspace, "kn", cache);

        foreach (int split in new[] { Splits.Train, Splits.Valid, Splits.Test })
        {
            var tokens = corpus.ReadTokens(split);
            var expected = KenLmPerplexity.Compute(loaded, tokens);
            var actual = KenLmPerplexity.Compute(mapped, tokens);
            Assert.Equal(expected.Log10Total, actual.Log10Total);
            Assert.Equal(expected.Oov, actual.Oov);
        }
    }

    [Fact]
    public void Find_EveryNGram_FoundAtItsLoadedIndex_AndAbsentOnesNot()
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp);
        new NGramModelBuilder(workspace).Build("random", "kn", new KneserNeySettings(3, true), ExistingModel.Refuse);
        using var loaded = NGramModelLoader.Load(workspace, "kn");
        using var file = NGramModelLoader.OpenFile(workspace, "kn", 0);

        for (int k = 1; k <= 3; k++)
        {
            var table = loaded.Data.Tables[k - 1];
            for (int i = 0; i < table.Count; i++)
            {
                int context = k == 1 ? 0 : loaded.Data.Tables[k - 2].Find(table.Words(i)[..^1]);
                Assert.Equal(i, file.Find(k, table.Words(i)[^1], context, out var record));
                Assert.Equal(table.Prob[i], record.Prob);
            }
        }
        Assert.Equal(-1, file.Find(2, int.MaxValue, 0, out _));
    }

    [Fact]
    public void OpenFile_DamagedFile_RefusedNamingIt()
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp);
        var built = new NGramModelBuilder(workspace).Build("random", "kn", new KneserNeySettings(3, true), ExistingModel.Refuse);
        string file = Path.Combine(built.Directory, NGramModelFile.FileName);
        var bytes = File.ReadAllBytes(file);
        bytes[NGramModelFile.HeaderBytes + 30] ^= 1;
        File.WriteAllBytes(file, bytes);

        var error = Assert.Throws<InputException>(() => NGramModelLoader.OpenFile(workspace, "kn", 1 << 20));

        Assert.Contains("checksum", error.Message);
    }
}
