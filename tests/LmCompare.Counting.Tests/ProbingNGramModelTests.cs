using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Counting.NGrams;
using LmCompare.Counting.NGrams.Mapped;
using LmCompare.Tests;

namespace LmCompare.Counting.Tests;

public class ProbingNGramModelTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void Compute_OnTheProbingFile_EqualsTheLoadedModelBitForBit(int order)
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp, documents: 10, linesPerDocument: 60, words: 500);
        new NGramModelBuilder(workspace).Build("random", "kn", new KneserNeySettings(order, true), ExistingModel.Refuse);
        var corpus = TokenizedCorpus.Open(workspace, "random");
        using var loaded = NGramModelLoader.Load(workspace, "kn");
        var (manifest, directory) = NGramModelLoader.ReadManifest(workspace, "kn");
        string source = Path.Combine(directory, NGramModelFile.FileName), target = temp.Combine("kn.probing");

        ProbingWriter.Write(source, manifest.NGramCounts, corpus.Vocabulary.Count, target);
        using var probing = ProbingNGramModel.Open(target, manifest.NGramCounts, corpus.Vocabulary.Count, ProbingWriter.SourceChecksum(source));

        foreach (int split in new[] { Splits.Train, Splits.Valid, Splits.Test })
        {
            var tokens = corpus.ReadTokens(split);
            var scorer = new NGramScorer(loaded);
            var mapped = new ContextStateScorer(probing);
            foreach (int token in tokens) Assert.Equal(scorer.Next(token), mapped.Next(token));
        }
    }

    [Fact]
    public void Open_DamagedOrForeignFile_RefusedInOneLine()
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp);
        new NGramModelBuilder(workspace).Build("random", "kn", new KneserNeySettings(3, true), ExistingModel.Refuse);
        var (manifest, directory) = NGramModelLoader.ReadManifest(workspace, "kn");
        int vocabulary = TokenizedCorpus.Open(workspace, "random").Vocabulary.Count;
        string source = Path.Combine(directory, NGramModelFile.FileName), target = temp.Combine("kn.probing");
        ProbingWriter.Write(source, manifest.NGramCounts, vocabulary, target);
        ulong checksum = ProbingWriter.SourceChecksum(source);

        Assert.Contains("another build", Assert.Throws<InputException>(() =>
            ProbingNGramModel.Open(target, manifest.NGramCounts, vocabulary, checksum + 1)).Message);
        var bytes = File.ReadAllBytes(target);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(target, bytes);
        Assert.Contains("checksum", Assert.Throws<InputException>(() =>
            ProbingNGramModel.Open(target, manifest.NGramCounts, vocabulary, checksum)).Message);
        File.WriteAllBytes(target, bytes[..^3]);
        Assert.Contains("truncated", Assert.Throws<InputException>(() =>
            ProbingNGramModel.Open(target, manifest.NGramCounts, vocabulary, checksum)).Message);
    }
}
