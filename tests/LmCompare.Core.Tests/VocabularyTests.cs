using LmCompare.Core;
using LmCompare.Tests;

namespace LmCompare.Core.Tests;

public class VocabularyTests
{
    private static KeyValuePair<string, long>[] Counts(params (string Word, long Count)[] items) =>
        items.Select(i => new KeyValuePair<string, long>(i.Word, i.Count)).ToArray();

    [Fact]
    public void Build_TiedCounts_OrdersByCountThenOrdinal()
    {
        var vocabulary = Vocabulary.Build(Counts(("the", 2), ("sat", 1), (".", 2), ("cat", 1), ("Dog", 1)), new VocabularyOptions());

        Assert.Equal(["<unk>", "<s>", "</s>", ".", "the", "Dog", "cat", "sat"], vocabulary.Tokens);
        Assert.Equal(2, vocabulary.CountOf(3));
        Assert.Equal(0, vocabulary.CountOf(SpecialTokens.UnknownId));
    }

    [Fact]
    public void Build_MinCount_FoldsRareWordsIntoUnknown()
    {
        var vocabulary = Vocabulary.Build(Counts(("a", 5), ("b", 2), ("c", 1), ("d", 1)), new VocabularyOptions(MinCount: 2), sentenceEndCount: 7);

        Assert.Equal(5, vocabulary.Count);
        Assert.Equal(2, vocabulary.CountOf(SpecialTokens.UnknownId));
        Assert.Equal(7, vocabulary.CountOf(SpecialTokens.SentenceEndId));
        Assert.Equal(SpecialTokens.UnknownId, vocabulary.IdOf("c"));
    }

    [Fact]
    public void Build_MaxVocab_KeepsMostFrequent()
    {
        var vocabulary = Vocabulary.Build(Counts(("a", 5), ("b", 2), ("c", 3)), new VocabularyOptions(MaxVocab: 2));

        Assert.Equal(["<unk>", "<s>", "</s>", "a", "c"], vocabulary.Tokens);
        Assert.Equal(2, vocabulary.CountOf(SpecialTokens.UnknownId));
    }

    [Fact]
    public void Build_LiteralSpecialTokens_CountAsUnknown()
    {
        var vocabulary = Vocabulary.Build(Counts(("<unk>", 3), ("</s>", 1), ("x", 1)), new VocabularyOptions());

        Assert.Equal(4, vocabulary.Count);
        Assert.Equal(4, vocabulary.CountOf(SpecialTokens.UnknownId));
    }

    [Fact]
    public void Build_InvalidOptions_Throws()
    {
        Assert.Throws<UsageException>(() => Vocabulary.Build([], new VocabularyOptions(MinCount: 0)));
        Assert.Throws<UsageException>(() => Vocabulary.Build([], new VocabularyOptions(MaxVocab: -1)));
    }

    [Fact]
    public void SaveLoad_RoundTrip_KeepsTokensAndCounts()
    {
        using var temp = new TempDirectory();
        var vocabulary = Vocabulary.Build(Counts(("Ġthe", 4), ("naïve", 2), ("🐳", 1)), new VocabularyOptions(), 1, 3);
        vocabulary.Save(temp.Combine("vocab.txt"));

        var loaded = Vocabulary.Load(temp.Combine("vocab.txt"));

        Assert.True(loaded.SameTokensAs(vocabulary));
        Assert.Equal(Enumerable.Range(0, vocabulary.Count).Select(vocabulary.CountOf), Enumerable.Range(0, loaded.Count).Select(loaded.CountOf));
        Assert.Equal(4, loaded.IdOf("naïve"));
    }

    [Theory]
    [InlineData("<unk>\t0\n<s>\t0\n</s>\t1\nword\tmany\n", ":4: expected")]
    [InlineData("<unk>\t0\n<s>\t0\n</s>\t1\nword\t1\nword\t1\n", ":5: duplicate token 'word'")]
    [InlineData("word\t1\n<s>\t0\n</s>\t1\n", "first three lines")]
    public void Load_MalformedFile_NamesFileAndLine(string content, string expected)
    {
        using var temp = new TempDirectory();
        string path = temp.Write("vocab.txt", content);

        var error = Assert.Throws<InputException>(() => Vocabulary.Load(path));

        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
    }
}
