using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Counting.Pairs;
using LmCompare.Tests;

namespace LmCompare.Counting.Tests;

public class PairModelBuilderTests
{
    [Fact]
    public void Build_TinyMemory_SpillsAndGivesTheSameModel()
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp, documents: 30, linesPerDocument: 150, words: 5000);

        var big = PairFixtures.Build(workspace, "random", "big", new PairModelSettings(4, 5, 64L << 20)).Manifest;
        var small = PairFixtures.Build(workspace, "random", "small", new PairModelSettings(4, 5, 1L << 20)).Manifest;

        Assert.Equal(1, big.Merges);
        Assert.True(small.Merges > 1, $"{small.Merges} merges");
        Assert.Equal(big.TablesXxHash64, small.TablesXxHash64);
        Assert.Equal(big.TestPerplexity, small.TestPerplexity);
    }

    [Fact]
    public void Build_ExistingModel_RefusedUnlessForced()
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.TinyCorpus(temp);
        PairFixtures.Build(workspace, "tiny", "p");

        Assert.Throws<UsageException>(() => PairFixtures.Build(workspace, "tiny", "p"));
        var again = PairFixtures.Build(workspace, "tiny", "p", existing: ExistingModel.Replace);
        var resumed = PairFixtures.Build(workspace, "tiny", "p", existing: ExistingModel.Resume);

        Assert.False(again.AlreadyComplete);
        Assert.True(resumed.AlreadyComplete);
    }

    [Fact]
    public void Build_FolderLockedByAnotherBuild_Refused()
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.TinyCorpus(temp);
        using var held = ModelFolder.Claim(workspace.ModelsDirectory, "p", ExistingModel.Refuse);

        var error = Assert.Throws<InputException>(() => PairFixtures.Build(workspace, "tiny", "p", existing: ExistingModel.Replace));

        Assert.Contains("locked by another build", error.Message);
    }

    [Theory]
    [InlineData(0, 20)]
    [InlineData(65, 20)]
    [InlineData(8, 0)]
    public void Build_BadSettings_UsageError(int distances, int topK)
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.TinyCorpus(temp);

        Assert.Throws<UsageException>(() => PairFixtures.Build(workspace, "tiny", "p", new PairModelSettings(distances, topK)));
        Assert.False(Directory.Exists(Path.Combine(workspace.ModelsDirectory, "p")));
    }

    [Fact]
    public void Build_MissingCorpus_InputError()
    {
        using var temp = new TempDirectory();

        var error = Assert.Throws<InputException>(() => PairFixtures.Build(new Workspace(temp.Path), "nope", "p"));

        Assert.Contains("corpus 'nope' not found", error.Message);
    }

    [Fact]
    public void CheckVocabulary_TooLargeForThePacking_Throws()
    {
        Assert.Throws<InputException>(() => PairKey.CheckVocabulary(PairKey.MaxVocabulary + 1));
        PairKey.CheckVocabulary(PairKey.MaxVocabulary);
    }

    [Fact]
    public void PairKey_PackUnpack_RoundTripsAndSortsByUThenDThenV()
    {
        long key = PairKey.Pack(PairKey.MaxVocabulary - 1, (1 << 29) - 1, 64);

        Assert.Equal((PairKey.MaxVocabulary - 1, (1 << 29) - 1, 64), (PairKey.U(key), PairKey.V(key), PairKey.D(key)));
        Assert.True(key > 0);
        Assert.True(PairKey.Pack(1, 900, 1) < PairKey.Pack(1, 0, 2));
        Assert.True(PairKey.Pack(1, 900, 64) < PairKey.Pack(2, 0, 1));
    }

    [Fact]
    public void Load_TablesTruncatedOrAltered_FailsNamingTheFile()
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.TinyCorpus(temp);
        var result = PairFixtures.Build(workspace, "tiny", "p");
        string tables = Path.Combine(result.Directory, PairModelBuilder.TablesFile);
        var bytes = File.ReadAllBytes(tables);

        File.WriteAllBytes(tables, bytes[..(bytes.Length - 3)]);
        var truncated = Assert.Throws<InputException>(() => PairModelLoader.Load(workspace, "p"));
        bytes[bytes.Length / 2] ^= 0x5A;
        File.WriteAllBytes(tables, bytes);
        var altered = Assert.Throws<InputException>(() => PairModelLoader.Load(workspace, "p", cacheBytes: 1L << 30));
        using var mapped = PairModelLoader.Load(workspace, "p"); // mapped: checked beside the scoring, before any figure
        var alteredMapped = Assert.Throws<InputException>(mapped.EnsureIntact);

        Assert.Contains(tables, truncated.Message);
        Assert.Contains("checksum", alteredMapped.Message);
        Assert.Contains("truncated", truncated.Message);
        Assert.Contains("checksum", altered.Message);
    }

    [Fact]
    public void Build_Embedded_RemovesItsStore_EveryCountReadBackFromTheTables()
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.TinyCorpus(temp);
        var result = PairFixtures.Build(workspace, "tiny", "p");

        Assert.False(Directory.Exists(Path.Combine(result.Directory, "store")));
        Assert.Equal(new FileInfo(Path.Combine(result.Directory, PairModelBuilder.TablesFile)).Length +
            new FileInfo(Path.Combine(result.Directory, "manifest.json")).Length, result.Manifest.BytesOnDisk, 4096.0);
        long records = 0, total = 0;
        using (var counts = PairModelLoader.ReadCounts(workspace, "p"))
            while (counts.MoveNext()) { records++; total += counts.Current[2]; }
        Assert.Equal(result.Manifest.DistinctPairs, records);
        Assert.Equal(result.Manifest.DistinctPairsPerDistance.Sum(), records);
        Assert.True(total >= records);
    }

    [Fact]
    public void Load_IncompleteModel_Refused()
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.TinyCorpus(temp);
        var result = PairFixtures.Build(workspace, "tiny", "p");
        File.Delete(Path.Combine(result.Directory, "manifest.json"));

        var error = Assert.Throws<InputException>(() => PairModelLoader.Load(workspace, "p"));

        Assert.Contains("did not finish", error.Message);
    }
}
