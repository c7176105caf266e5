using LmCompare.Core;
using LmCompare.Corpus.Ingest;
using LmCompare.Tests;

namespace LmCompare.Corpus.Tests;

/// <summary>
/// The fixture, by hand: train "the cat sat ." and "the dog ran ." (a blank line between is dropped);
/// counts the:2 .:2 cat dog ran sat:1, so ids . = 3, the = 4, cat = 5, dog = 6, ran = 7, sat = 8 (count desc, then ordinal).
/// </summary>
public class CorpusIngestorTests
{
    private static IngestOptions Explicit(TempDirectory temp, string name = "tiny", int minCount = 1) => new(
        Name: name, Paths: [], Tokenizer: new TokenizerSettings("whitespace"), Vocabulary: new VocabularyOptions(minCount),
        TrainPaths: [temp.Write("src/train.txt", "the cat sat .\n\n the dog ran .\n")],
        ValidPaths: [temp.Write("src/valid.txt.gz", "the cat ran .\n")],
        TestPaths: [temp.Write("src/test.txt", "a bird sat .")]);

    [Fact]
    public void Ingest_EmojiAndMathLettersWithWordTokenizer_VocabularyReadsBack()
    {
        using var temp = new TempDirectory();
        var workspace = new Workspace(temp.Combine("home"));
        var options = Explicit(temp) with
        {
            Tokenizer = new TokenizerSettings("word"),
            TrainPaths = [temp.Write("src/emoji.txt", "ferris 🦀 says 😀 .\nthe 𝑥 axis 😀 .\n")],
        };

        new CorpusIngestor(workspace).Ingest(options);
        var corpus = TokenizedCorpus.Open(workspace, "tiny");

        Assert.True(corpus.Vocabulary.Contains("🦀"));
        Assert.Equal(2, corpus.Vocabulary.CountOf(corpus.Vocabulary.IdOf("😀")));
        Assert.True(corpus.Vocabulary.Contains("𝑥"));
    }

    [Fact]
    public void Ingest_NewWordsInHeldOutSplits_TrainTypesCountTrainingOnly()
    {
        using var temp = new TempDirectory();
        var workspace = new Workspace(temp.Combine("home"));
        var options = Explicit(temp) with { TrainPaths = [temp.Write("src/five.txt", "the cat sat on mats\n")] }; // 5 words, not 2^k

        new CorpusIngestor(workspace).Ingest(options);
        var manifest = TokenizedCorpus.Open(workspace, "tiny").Manifest;

        Assert.Equal(5, manifest.Vocabulary.TrainTypes); // valid adds "ran" and ".", test "a" and "bird": not training types
        Assert.Equal([[1L, 1L], [2L, 2L], [4L, 4L], [5L, 5L]], manifest.TrainTypeGrowth);
    }

    [Fact]
    public void Ingest_TinyFixture_WritesHandComputedIdsAndCounts()
    {
        using var temp = new TempDirectory();
        var workspace = new Workspace(temp.Combine("home"));

        new CorpusIngestor(workspace).Ingest(Explicit(temp));
        var corpus = TokenizedCorpus.Open(workspace, "tiny");

        Assert.Equal(["<unk>", "<s>", "</s>", ".", "the", "cat", "dog", "ran", "sat"], corpus.Vocabulary.Tokens);
        Assert.Equal([4, 5, 8, 3, 2, 4, 6, 7, 3, 2], corpus.ReadTokens(Splits.Train));
        Assert.Equal([4, 5, 7, 3, 2], corpus.ReadTokens(Splits.Valid));
        Assert.Equal([0, 0, 8, 3, 2], corpus.ReadTokens(Splits.Test));
        Assert.Equal(new SplitManifest(1, 2, 10, 8, 0, 28), corpus.SplitInfo(Splits.Train));
        Assert.Equal(new SplitManifest(1, 1, 5, 4, 2, 13), corpus.SplitInfo(Splits.Test));
        Assert.Equal(0.5, corpus.SplitInfo(Splits.Test).OovRate);
        Assert.Equal(2, corpus.Vocabulary.CountOf(SpecialTokens.SentenceEndId));
        Assert.Equal((0L, 10L), corpus.ReadDocuments(Splits.Train)[0]);
        Assert.Equal(6, corpus.Manifest.Vocabulary.TrainTypes);
        Assert.Equal([[1L, 1L], [2L, 2L], [4L, 4L], [8L, 6L]], corpus.Manifest.TrainTypeGrowth);
    }

    [Fact]
    public void Ingest_MinCount2_MapsRareTrainingWordsToUnknown()
    {
        using var temp = new TempDirectory();
        var workspace = new Workspace(temp.Combine("home"));

        new CorpusIngestor(workspace).Ingest(Explicit(temp, minCount: 2));
        var corpus = TokenizedCorpus.Open(workspace, "tiny");

        Assert.Equal(5, corpus.Vocabulary.Count);
        Assert.Equal([4, 0, 0, 3, 2, 4, 0, 0, 3, 2], corpus.ReadTokens(Splits.Train));
        Assert.Equal(4, corpus.SplitInfo(Splits.Train).Oov);
        Assert.Equal(4, corpus.Vocabulary.CountOf(SpecialTokens.UnknownId));
    }

    [Fact]
    public void Ingest_RecordsSourceHashesAndSplits()
    {
        using var temp = new TempDirectory();
        var workspace = new Workspace(temp.Combine("home"));

        var result = new CorpusIngestor(workspace).Ingest(Explicit(temp));

        Assert.Equal(["train", "valid", "test"], result.Manifest.Sources.Select(s => s.Split));
        Assert.All(result.Manifest.Sources, s => Assert.Matches("^[0-9a-f]{64}$", s.Sha256));
        Assert.Equal("explicit", result.Manifest.Split.Mode);
    }

    [Fact]
    public void Ingest_SingleDocument_SplitsByContiguousLineBlocks()
    {
        using var temp = new TempDirectory();
        var workspace = new Workspace(temp.Combine("home"));
        string path = temp.Write("one.txt", string.Join('\n', Enumerable.Range(0, 20).Select(i => $"w{i}")));

        new CorpusIngestor(workspace).Ingest(new IngestOptions("one", [path], new TokenizerSettings("whitespace"), new VocabularyOptions()));
        var corpus = TokenizedCorpus.Open(workspace, "one");

        Assert.Equal([18L, 1L, 1L], Enumerable.Range(0, 3).Select(s => corpus.SplitInfo(s).Lines));
        var valid = corpus.ReadTokens(Splits.Valid);
        Assert.Equal([SpecialTokens.UnknownId, SpecialTokens.SentenceEndId], valid);
        Assert.True(corpus.Vocabulary.Contains("w17"));
        Assert.False(corpus.Vocabulary.Contains("w18")); // the valid block starts at line 18
        Assert.Equal("line-blocks", corpus.Manifest.Split.Mode);
        Assert.Equal(3, corpus.Manifest.Splits.Values.Sum(x => x.Documents));
    }

    [Fact]
    public void Ingest_ExistingName_RefusesWithoutForceAndReplacesWithForce()
    {
        using var temp = new TempDirectory();
        var workspace = new Workspace(temp.Combine("home"));
        new CorpusIngestor(workspace).Ingest(Explicit(temp));

        var error = Assert.Throws<UsageException>(() => new CorpusIngestor(workspace).Ingest(Explicit(temp)));
        new CorpusIngestor(workspace).Ingest(Explicit(temp) with { Force = true, Vocabulary = new VocabularyOptions(2) });

        Assert.Contains("--force", error.Message);
        Assert.Equal(5, TokenizedCorpus.Open(workspace, "tiny").Vocabulary.Count);
        Assert.Equal(["tiny"], Directory.GetFileSystemEntries(workspace.CorporaDirectory).Select(Path.GetFileName));
    }

    [Fact]
    public void Ingest_FolderWithForeignFiles_IsNeverReplaced()
    {
        using var temp = new TempDirectory();
        var workspace = new Workspace(temp.Combine("home"));
        temp.Write("home/corpora/tiny/source.txt", "keep me");

        Assert.Throws<UsageException>(() => new CorpusIngestor(workspace).Ingest(Explicit(temp) with { Force = true }));
        Assert.True(File.Exists(temp.Combine("home/corpora/tiny/source.txt")));
    }

    [Fact]
    public void Ingest_FailureMidway_LeavesNoCorpusFolder()
    {
        using var temp = new TempDirectory();
        var workspace = new Workspace(temp.Combine("home"));
        var options = Explicit(temp) with { TestPaths = [temp.WriteBytes("src/bad.txt", [65, 0, 66])] };

        Assert.Throws<InputException>(() => new CorpusIngestor(workspace).Ingest(options));

        Assert.Empty(Directory.GetFileSystemEntries(workspace.CorporaDirectory));
        Assert.Empty(TokenizedCorpus.List(workspace));
    }

    [Fact]
    public void Ingest_StalePartialOfDeadProcess_IsRemoved()
    {
        using var temp = new TempDirectory();
        var workspace = new Workspace(temp.Combine("home"));
        temp.Write("home/corpora/.tiny.partial-999999999/train.prov", "x");

        new CorpusIngestor(workspace).Ingest(Explicit(temp));

        Assert.Equal(["tiny"], Directory.GetFileSystemEntries(workspace.CorporaDirectory).Select(Path.GetFileName));
    }

    [Fact]
    public void Ingest_EmptyFile_NamesIt()
    {
        using var temp = new TempDirectory();
        var options = Explicit(temp) with { ValidPaths = [temp.Write("src/empty.txt", "\n  \n")] };

        var error = Assert.Throws<InputException>(() => new CorpusIngestor(new Workspace(temp.Combine("home"))).Ingest(options));

        Assert.Contains("empty.txt: empty document", error.Message);
    }

    [Fact]
    public void Ingest_MinCountAboveEveryWord_Throws()
    {
        using var temp = new TempDirectory();

        var error = Assert.Throws<InputException>(() => new CorpusIngestor(new Workspace(temp.Combine("home"))).Ingest(Explicit(temp, minCount: 50)));

        Assert.Contains("--min-count 50", error.Message);
    }

    [Fact]
    public void Ingest_HomeIsAFile_ReportsNotWritable()
    {
        using var temp = new TempDirectory();
        string file = temp.Write("afile", "x");

        var error = Assert.Throws<InputException>(() => new CorpusIngestor(new Workspace(file)).Ingest(Explicit(temp)));

        Assert.Contains("not a directory", error.Message);
    }
}
