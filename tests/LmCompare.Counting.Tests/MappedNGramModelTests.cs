using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Counting.NGrams;
using LmCompare.Tests;

namespace LmCompare.Counting.Tests;

public class MappedNGramModelTests
{
    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(5, false)]
    [InlineData(5, true)]
    public void Compute_Mapped_EqualsTheLoadedModelBitForBit(int order, bool streaming)
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp, documents: 10, linesPerDocument: 60, words: 500);
        new NGramModelBuilder(workspace).Build("random", "kn", new KneserNeySettings(order, true, Partitions: streaming ? 3 : null),
            ExistingModel.Refuse);
        var corpus = TokenizedCorpus.Open(workspace, "random");

        using var loaded = NGramModelLoader.Load(workspace, "kn");
        using var mapped = NGramModelLoader.Map(workspace, "kn");

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
    public void Find_EveryStoredNGram_FoundAtItsIndex_AndAbsentOnesNot()
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp);
        new NGramModelBuilder(workspace).Build("random", "kn", new KneserNeySettings(3, true), ExistingModel.Refuse);
        using var mapped = NGramModelLoader.Map(workspace, "kn");

        for (int k = 1; k <= 3; k++)
        {
            var records = mapped.Records(k).ToArray();
            for (int i = 0; i < records.Length; i++) Assert.Equal(i, mapped.Find(k, records[i].Word, records[i].Context));
        }
        Assert.Equal(-1, mapped.Find(2, int.MaxValue, 0));
    }

    [Fact]
    public void Map_DamagedFile_RefusedNamingIt()
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp);
        var built = new NGramModelBuilder(workspace).Build("random", "kn", new KneserNeySettings(3, true), ExistingModel.Refuse);
        string file = Path.Combine(built.Directory, NGramModelFile.FileName);
        var bytes = File.ReadAllBytes(file);
        bytes[NGramModelFile.HeaderBytes + 30] ^= 1;
        File.WriteAllBytes(file, bytes);

        var error = Assert.Throws<InputException>(() => NGramModelLoader.Map(workspace, "kn"));

        Assert.Contains("checksum", error.Message);
    }
}
