using LmCompare.Core;
using LmCompare.Corpus.Ingest;
using LmCompare.Corpus.Synthetic;
using LmCompare.Tests;

namespace LmCompare.Corpus.Tests;

/// <summary>
/// The source fixture, by hand: train "the cat sat ." and "the dog ran ." give ids . = 3, the = 4, cat = 5, dog = 6,
/// ran = 7, sat = 8 and the bigrams (&lt;/s&gt; before the first word) </s>→the ×2, the→cat, the→dog, cat→sat, dog→ran,
/// sat→., ran→., .→</s> ×2.
/// </summary>
public class CorpusSynthesizerTests
{
    private static readonly int[] SourceTrain = [4, 5, 8, 3, 2, 4, 6, 7, 3, 2];

    private static Workspace Source(TempDirectory temp)
    {
        var workspace = new Workspace(temp.Combine("home"));
        new CorpusIngestor(workspace).Ingest(new IngestOptions("src", [], new TokenizerSettings("whitespace"), new VocabularyOptions(1),
            TrainPaths: [temp.Write("text/train.txt", "the cat sat .\nthe dog ran .\n")],
            ValidPaths: [temp.Write("text/valid.txt", "the cat ran .\n")], TestPaths: [temp.Write("text/test.txt", "the dog sat .\n")]));
        return workspace;
    }

    [Fact]
    public void Next_TinyBigrams_FollowsTheHandComputedRows()
    {
        var sampler = BigramSampler.FromTokens(SourceTrain, 9);
        var random = new SplitMix64(7);

        Assert.Equal(8, sampler.DistinctBigrams);
        int cat = 0;
        for (int i = 0; i < 10_000; i++)
        {
            Assert.Equal(4, sampler.Next(SpecialTokens.SentenceEndId, ref random)); // a sentence starts with "the"
            Assert.Equal(SpecialTokens.SentenceEndId, sampler.Next(3, ref random));   // "." ends it
            Assert.Equal(8, sampler.Next(5, ref random));
            int next = sampler.Next(4, ref random);
            Assert.True(next is 5 or 6, $"the → {next}");
            if (next == 5) cat++;
        }
        Assert.InRange(cat, 4_800, 5_200); // half and half: ±4 standard deviations of the binomial (seeded, so fixed)
    }

    [Fact]
    public void Next_UnequalCounts_DrawsInProportion()
    {
        // after 3: 4 once, 5 twice, 6 seven times
        int[] tokens = [3, 4, 3, 5, 3, 5, 3, 6, 3, 6, 3, 6, 3, 6, 3, 6, 3, 6, 3, 6];
        var sampler = BigramSampler.FromTokens(tokens, 7);
        var random = new SplitMix64(42);
        var drawn = new int[7];

        for (int i = 0; i < 100_000; i++) drawn[sampler.Next(3, ref random)]++;

        Assert.InRange(drawn[4], 10_000 - 600, 10_000 + 600); // ±600 is over 4 standard deviations of each binomial
        Assert.InRange(drawn[5], 20_000 - 600, 20_000 + 600);
        Assert.InRange(drawn[6], 70_000 - 600, 70_000 + 600);
        Assert.Equal(100_000, drawn[4] + drawn[5] + drawn[6]);
    }

    [Fact]
    public void Next_TokenNeverFollowed_StartsANewSentence()
    {
        var sampler = BigramSampler.FromTokens([4, 5], 6); // 5 is the last token: no successor
        var random = new SplitMix64(1);

        Assert.Equal(SpecialTokens.SentenceEndId, sampler.Next(5, ref random));
        Assert.Equal(SpecialTokens.SentenceEndId, sampler.Next(3, ref random)); // a type that never occurred
    }

    [Fact]
    public void Synthesize_Tiny_EveryBigramFromTheSourceAndTheManifestAddsUp()
    {
        using var temp = new TempDirectory();
        var workspace = Source(temp);

        new CorpusSynthesizer(workspace).Synthesize(new SynthOptions("syn", "src", 5_000, Seed: 3, HeldOutTokens: 400, DocumentTokens: 1_000));
        var corpus = TokenizedCorpus.Open(workspace, "syn");
        var train = corpus.ReadTokens(Splits.Train);

        Assert.InRange(train.Length, 5_000, 5_004); // finished sentence: at most 4 more tokens
        Assert.Equal(SpecialTokens.SentenceEndId, train[^1]);
        var allowed = new HashSet<(int, int)>(SourceTrain.Select((t, i) => (i == 0 ? SpecialTokens.SentenceEndId : SourceTrain[i - 1], t)));
        for (int i = 0; i < train.Length; i++)
            Assert.Contains((i == 0 ? SpecialTokens.SentenceEndId : train[i - 1], train[i]), allowed);
        var split = corpus.SplitInfo(Splits.Train);
        Assert.Equal(train.Count(t => t == SpecialTokens.SentenceEndId), split.Lines);
        Assert.Equal(split.Tokens - split.Lines, split.Words);
        Assert.Equal(ExpectedBytes(train, corpus.Vocabulary), split.Bytes);
        Assert.Equal(5, corpus.ReadDocuments(Splits.Train).Documents); // a new document after every 1,000 tokens, at a line end
        Assert.Equal(train.Count(t => t == 4), corpus.Vocabulary.CountOf(4));
        Assert.Equal("bigram", corpus.Manifest.Synthetic!.Model);
        Assert.Equal("src", corpus.Manifest.Synthetic.Like);
        Assert.Equal([split.Words, 6L], corpus.Manifest.TrainTypeGrowth[^1]); // all six words drawn
        Assert.InRange(corpus.SplitInfo(Splits.Test).Tokens, 400, 404);
    }

    [Fact]
    public void Synthesize_SameSeed_SameFiles_OtherSeed_OtherFiles()
    {
        using var temp = new TempDirectory();
        var workspace = Source(temp);

        byte[] Train(string name, long seed)
        {
            new CorpusSynthesizer(workspace).Synthesize(new SynthOptions(name, "src", 3_000, seed, 300));
            return File.ReadAllBytes(Path.Combine(workspace.CorpusDirectory(name), "train.bin"));
        }

        var a = Train("a", 11);
        Assert.Equal(a, Train("b", 11));
        Assert.NotEqual(a, Train("c", 12));
    }

    [Fact]
    public void Synthesize_SeveralSegments_ChainsJoinAtSentenceEnds()
    {
        using var temp = new TempDirectory();
        var workspace = Source(temp);
        long tokens = 2L * SyntheticSplitWriter.SegmentTokens + 12_345; // three segments, drawn side by side

        new CorpusSynthesizer(workspace).Synthesize(new SynthOptions("syn", "src", tokens, 9, 100));
        var train = TokenizedCorpus.Open(workspace, "syn").ReadTokens(Splits.Train);

        Assert.InRange(train.Length, tokens, tokens + 3 * 4);
        var allowed = new HashSet<(int, int)>(SourceTrain.Select((t, i) => (i == 0 ? SpecialTokens.SentenceEndId : SourceTrain[i - 1], t)));
        for (int i = 0; i < train.Length; i++)
            Assert.Contains((i == 0 ? SpecialTokens.SentenceEndId : train[i - 1], train[i]), allowed);
    }

    [Fact]
    public void Synthesize_ExistingNameWithoutForce_RefusedAndLeftAsItWas()
    {
        using var temp = new TempDirectory();
        var workspace = Source(temp);
        new CorpusSynthesizer(workspace).Synthesize(new SynthOptions("syn", "src", 1_000, 1, 100));
        var before = File.ReadAllBytes(Path.Combine(workspace.CorpusDirectory("syn"), "train.bin"));

        var error = Assert.Throws<UsageException>(() => new CorpusSynthesizer(workspace).Synthesize(new SynthOptions("syn", "src", 2_000, 2, 100)));

        Assert.Contains("already exists", error.Message);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(workspace.CorpusDirectory("syn"), "train.bin")));
        Assert.Throws<InputException>(() => new CorpusSynthesizer(workspace).Synthesize(new SynthOptions("x", "missing", 1_000)));
    }

    /// <summary>Each line's words joined by one space plus a newline, in UTF-8.</summary>
    private static long ExpectedBytes(int[] tokens, Vocabulary vocabulary)
    {
        long bytes = 0;
        var words = new List<string>();
        foreach (int t in tokens)
        {
            if (t != SpecialTokens.SentenceEndId) { words.Add(vocabulary[t]); continue; }
            bytes += System.Text.Encoding.UTF8.GetByteCount(string.Join(' ', words)) + 1;
            words.Clear();
        }
        return bytes;
    }
}
