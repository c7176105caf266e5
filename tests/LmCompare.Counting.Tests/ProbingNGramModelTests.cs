using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Counting.NGrams;
using LmCompare.Counting.NGrams.Mapped;
using LmCompare.Tests;

namespace LmCompare.Counting.Tests;

public class ProbingNGramModelTests
{
    /// <summary>A build that writes ngrams.probing (the default, trie, writes only ngrams.trie).</summary>
    private static KneserNeySettings Probing(int order) => new(order, DiscountFallback: true, Format: KneserNeySettings.Probing);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void Compute_OnTheProbingFile_EqualsTheLoadedModelBitForBit(int order)
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp, documents: 10, linesPerDocument: 60, words: 500);
        new NGramModelBuilder(workspace).Build("random", "kn", Probing(order), ExistingModel.Refuse);
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
        probing.EnsureIntact();
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Compute_OnOrdersOfSeveralSlotWindows_EqualsTheLoadedModelBitForBit()
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp, documents: 40, linesPerDocument: 200, words: 2000);
        new NGramModelBuilder(workspace).Build("random", "kn", Probing(3), ExistingModel.Refuse);
        var corpus = TokenizedCorpus.Open(workspace, "random");
        using var loaded = NGramModelLoader.Load(workspace, "kn");
        var (manifest, directory) = NGramModelLoader.ReadManifest(workspace, "kn");
        string source = Path.Combine(directory, NGramModelFile.FileName);
        Assert.True(manifest.NGramCounts[2] > 2 * 16384); // the top order spans several windows of 16,384 slots (1.5 per n-gram)

        using var probing = ProbingNGramModel.Open(Path.Combine(directory, ProbingNGramModel.FileName), manifest.NGramCounts,
            corpus.Vocabulary.Count, ProbingWriter.SourceChecksum(source));
        var scorer = new NGramScorer(loaded);
        var mapped = new ContextStateScorer(probing);
        foreach (int token in corpus.ReadTokens(Splits.Train)) Assert.Equal(scorer.Next(token), mapped.Next(token));
        probing.EnsureIntact();
        var (slots, offsets, _) = ProbingFormat.Layout(manifest.NGramCounts, corpus.Vocabulary.Count);
        var bytes = File.ReadAllBytes(Path.Combine(directory, ProbingNGramModel.FileName));
        for (int k = 2; k <= 3; k++) // every slot no n-gram took is empty, in every window
        {
            int entryBytes = k == 3 ? 12 : 16;
            long occupied = 0;
            for (long slot = 0; slot < slots[k - 1]; slot++)
                if (BitConverter.ToUInt64(bytes, (int)(offsets[k - 1] + slot * entryBytes)) != ProbingFormat.Empty) occupied++;
            Assert.Equal(manifest.NGramCounts[k - 1], occupied);
        }
    }

    [Fact]
    public void Open_DamagedOrForeignFile_RefusedInOneLine()
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp);
        new NGramModelBuilder(workspace).Build("random", "kn", Probing(3), ExistingModel.Refuse);
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
        using (var damaged = ProbingNGramModel.Open(target, manifest.NGramCounts, vocabulary, checksum)) // verified beside the scoring
            Assert.Contains("checksum", Assert.Throws<InputException>(damaged.EnsureIntact).Message);
        File.WriteAllBytes(target, bytes[..^3]);
        Assert.Contains("truncated", Assert.Throws<InputException>(() =>
            ProbingNGramModel.Open(target, manifest.NGramCounts, vocabulary, checksum)).Message);
    }

    [Fact]
    public void Write_InBandsOfAFewKeys_SameBytesAsOneBand()
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp, documents: 8, linesPerDocument: 50, words: 300);
        new NGramModelBuilder(workspace).Build("random", "kn", Probing(4), ExistingModel.Refuse);
        var (manifest, directory) = NGramModelLoader.ReadManifest(workspace, "kn");
        int vocabulary = TokenizedCorpus.Open(workspace, "random").Vocabulary.Count;
        string source = Path.Combine(directory, NGramModelFile.FileName);

        ProbingWriter.Write(source, manifest.NGramCounts, vocabulary, temp.Combine("one.probing"));
        ProbingWriter.Write(source, manifest.NGramCounts, vocabulary, temp.Combine("bands.probing"), memoryBytes: 0, minimumBandBytes: 36 * 37);

        Assert.True(manifest.NGramCounts[1] > 37 * 4); // several bands per order
        Assert.Equal(File.ReadAllBytes(temp.Combine("one.probing")), File.ReadAllBytes(temp.Combine("bands.probing")));
    }

    /// <summary>Small tables, where a key pushed past the last slot is likely: every seed's file opens (its checksum covers
    /// the patched slots) and scores as the loaded model, and some seeds do wrap.</summary>
    [Fact]
    public void Write_KeysPastTheLastSlot_WrapToTheFirstEmptySlots()
    {
        int wrapped = 0;
        for (int seed = 1; seed <= 12; seed++)
        {
            using var temp = new TempDirectory();
            var workspace = PairFixtures.RandomCorpus(temp, seed, documents: 3, linesPerDocument: 4, words: 12);
            new NGramModelBuilder(workspace).Build("random", "kn", Probing(3), ExistingModel.Refuse);
            var corpus = TokenizedCorpus.Open(workspace, "random");
            var (manifest, directory) = NGramModelLoader.ReadManifest(workspace, "kn");
            string source = Path.Combine(directory, NGramModelFile.FileName), target = temp.Combine("kn.probing");
            if (ProbingWriter.Write(source, manifest.NGramCounts, corpus.Vocabulary.Count, target)) wrapped++;
            using var loaded = NGramModelLoader.Load(workspace, "kn");
            using var probing = ProbingNGramModel.Open(target, manifest.NGramCounts, corpus.Vocabulary.Count,
                ProbingWriter.SourceChecksum(source));
            var scorer = new NGramScorer(loaded);
            var mapped = new ContextStateScorer(probing);
            foreach (int token in corpus.ReadTokens(Splits.Train)) Assert.Equal(scorer.Next(token), mapped.Next(token));
        }
        Assert.InRange(wrapped, 1, 11);
    }

    [Fact]
    public void Find_TableWithoutAnEmptySlot_RefusedNotAHang()
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp);
        new NGramModelBuilder(workspace).Build("random", "kn", new KneserNeySettings(2, true), ExistingModel.Refuse);
        var (manifest, directory) = NGramModelLoader.ReadManifest(workspace, "kn");
        int vocabulary = TokenizedCorpus.Open(workspace, "random").Vocabulary.Count;
        string source = Path.Combine(directory, NGramModelFile.FileName), target = temp.Combine("kn.probing");
        ProbingWriter.Write(source, manifest.NGramCounts, vocabulary, target);
        var (slots, offsets, _) = ProbingFormat.Layout(manifest.NGramCounts, vocabulary);
        var bytes = File.ReadAllBytes(target);
        bytes.AsSpan((int)offsets[1], (int)slots[1] * 12).Fill(0x11); // every bigram slot holds one foreign key
        File.WriteAllBytes(target, bytes);

        using var damaged = ProbingNGramModel.Open(target, manifest.NGramCounts, vocabulary, ProbingWriter.SourceChecksum(source));
        var error = Assert.Throws<InputException>(() => damaged.Find(2, 5, 3, out _, out _));
        Assert.Contains("no empty slot", error.Message);
        Assert.Throws<InputException>(damaged.EnsureIntact);
    }
}
