using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Corpus.Synthetic;
using LmCompare.Counting.NGrams;
using LmCompare.Counting.NGrams.Mapped;
using LmCompare.Tests;

namespace LmCompare.Counting.Tests;

public class TrieNGramModelTests
{
    private sealed record Built(Workspace Workspace, TokenizedCorpus Corpus, NGramModelManifest Manifest, string Source) : IDisposable
    {
        public int Vocabulary => Corpus.Vocabulary.Count;
        public TrieNGramModel Open(string path) => TrieNGramModel.Open(path, Manifest.NGramCounts, Vocabulary, ProbingWriter.SourceChecksum(Source));
        public void Dispose() { }
    }

    /// <param name="sampledTokens">Unless 0, the model is built on that many tokens sampled from the corpus
    /// (<see cref="CorpusSynthesizer"/>): its vocabulary then holds ids that have no unigram.</param>
    private static Built Build(TempDirectory temp, int order, int documents = 10, int lines = 60, int words = 500, int sampledTokens = 0)
    {
        var workspace = PairFixtures.RandomCorpus(temp, documents: documents, linesPerDocument: lines, words: words);
        string corpus = "random";
        if (sampledTokens > 0)
            new CorpusSynthesizer(workspace).Synthesize(new SynthOptions(corpus = "sampled", "random", sampledTokens, HeldOutTokens: 1_000));
        new NGramModelBuilder(workspace).Build(corpus, "kn", new KneserNeySettings(order, true), ExistingModel.Refuse);
        var (manifest, directory) = NGramModelLoader.ReadManifest(workspace, "kn");
        return new Built(workspace, TokenizedCorpus.Open(workspace, corpus), manifest, Path.Combine(directory, NGramModelFile.FileName));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void Next_OnTheTrie_EqualsTheLoadedModelBitForBit(int order)
    {
        using var temp = new TempDirectory();
        var built = Build(temp, order);
        using var loaded = NGramModelLoader.Load(built.Workspace, "kn");
        using var trie = built.Open(Path.Combine(Path.GetDirectoryName(built.Source)!, TrieNGramModel.FileName));

        foreach (int split in new[] { Splits.Train, Splits.Valid, Splits.Test })
        {
            var scorer = new NGramScorer(loaded);
            var mapped = new ContextStateScorer(trie);
            foreach (int token in built.Corpus.ReadTokens(split)) Assert.Equal(scorer.Next(token), mapped.Next(token));
        }
        trie.EnsureIntact();
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Next_OnATrieWhoseBandsHoldSeveralBuckets_EqualsTheLoadedModelBitForBit()
    {
        using var temp = new TempDirectory();
        var built = Build(temp, 3, documents: 40, lines: 200, words: 2000);
        Assert.True(built.Manifest.NGramCounts[2] > 4 * 8192); // the top order's one band is sorted through several ~8k buckets
        using var loaded = NGramModelLoader.Load(built.Workspace, "kn");
        using var trie = built.Open(Path.Combine(Path.GetDirectoryName(built.Source)!, TrieNGramModel.FileName));

        var scorer = new NGramScorer(loaded);
        var mapped = new ContextStateScorer(trie);
        foreach (int token in built.Corpus.ReadTokens(Splits.Train)) Assert.Equal(scorer.Next(token), mapped.Next(token));
        trie.EnsureIntact();
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Distribution_AtEveryTestPosition_EqualsTheLoadedModelBitForBit(int order)
    {
        using var temp = new TempDirectory();
        var built = Build(temp, order);
        using var loaded = NGramModelLoader.Load(built.Workspace, "kn");
        using var mapped = NGramModelLoader.OpenMapped(built.Workspace, "kn");
        var tokens = built.Corpus.ReadTokens(Splits.Test)[..400];
        int v = built.Vocabulary;
        var expected = new float[tokens.Length * v];
        var actual = new float[tokens.Length * v];
        var (lpExpected, lpActual) = (new double[tokens.Length], new double[tokens.Length]);

        loaded.ScoreDistributions(tokens, 0, lpExpected, expected);
        mapped.ScoreDistributions(tokens, 0, lpActual, actual);

        Assert.Equal(lpExpected, lpActual);
        Assert.Equal(expected, actual);
    }

    /// <summary>The fast path against brute force: ranks counted over whole distributions (as the evaluator counts them).
    /// A rank prefix of 1 or 2 makes most runs scanned and most ranked prefixes run out (the counts fall back to a whole
    /// run's or every unigram's scan); with 16 only frequent contexts' runs are ranked.</summary>
    [Theory]
    [InlineData(1, 3, TrieFormat.DefaultRankPrefix)]
    [InlineData(3, 0, TrieFormat.DefaultRankPrefix)]
    [InlineData(5, 0, TrieFormat.DefaultRankPrefix)]
    [InlineData(5, 37, TrieFormat.DefaultRankPrefix)]
    [InlineData(3, 0, 1)]
    [InlineData(5, 0, 2)]
    public void ScoreRanks_EveryTestPosition_EqualsTheRankInTheWholeDistribution(int order, int start, int rankPrefix)
    {
        using var temp = new TempDirectory();
        var built = Build(temp, order, words: 200);
        if (rankPrefix != TrieFormat.DefaultRankPrefix)
            TrieWriter.Write(built.Source, built.Manifest.NGramCounts, built.Vocabulary,
                Path.Combine(Path.GetDirectoryName(built.Source)!, TrieNGramModel.FileName), rankPrefix: rankPrefix, unigramPrefix: rankPrefix);
        using var loaded = NGramModelLoader.Load(built.Workspace, "kn");
        using var mapped = NGramModelLoader.OpenMapped(built.Workspace, "kn");
        var tokens = built.Corpus.ReadTokens(Splits.Test);
        int v = built.Vocabulary, n = tokens.Length - start;
        var rows = new float[n * v];
        var (lpExpected, lpActual) = (new double[n], new double[n]);
        var ranks = new int[n];

        loaded.ScoreDistributions(tokens, start, lpExpected, rows);
        mapped.ScoreRanks(tokens, start, lpActual, ranks, 5);

        int top1 = 0, top5 = 0;
        for (int i = 0; i < n; i++)
        {
            var row = rows.AsSpan(i * v, v);
            int greater = 0;
            foreach (float p in row) if (p > row[tokens[start + i]]) greater++;
            Assert.Equal(Math.Min(greater, 5), ranks[i]);
            if (greater == 0) top1++;
            if (greater < 5) top5++;
        }
        Assert.Equal(lpExpected, lpActual);
        Assert.InRange(top1, 1, n - 1); // both outcomes occur: the test sees hits and misses
        Assert.InRange(top5, top1 + 1, n - 1);
    }

    [Fact]
    public void Write_InBandsOfAFewContexts_SameBytesAsOneBand()
    {
        using var temp = new TempDirectory();
        var built = Build(temp, 4, documents: 8, lines: 50, words: 300);

        TrieWriter.Write(built.Source, built.Manifest.NGramCounts, built.Vocabulary, temp.Combine("one.trie"));
        TrieWriter.Write(built.Source, built.Manifest.NGramCounts, built.Vocabulary, temp.Combine("bands.trie"), memoryBytes: 0,
            minimumBandBytes: 36 * 41, byBuckets: false);

        Assert.True(built.Manifest.NGramCounts[1] > 41 * 4); // several bands per order
        Assert.Equal(File.ReadAllBytes(temp.Combine("one.trie")), File.ReadAllBytes(temp.Combine("bands.trie")));
        Assert.Empty(Directory.GetFiles(temp.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData(2, 16, 0)]
    [InlineData(5, 2, 0)]
    [InlineData(4, 3, 6_000)] // ids without a unigram: the unigrams' trie indexes are not their indexes in ngrams.bin
    public void Write_ByBucketsInsteadOfIndexMaps_SameBytes(int order, int rankPrefix, int sampledTokens)
    {
        using var temp = new TempDirectory();
        var built = Build(temp, order, documents: 20, lines: 60, words: sampledTokens > 0 ? 3000 : 300, sampledTokens: sampledTokens);
        var counts = built.Manifest.NGramCounts;
        if (sampledTokens > 0) Assert.True(counts[0] < built.Vocabulary - 50, $"{counts[0]} unigrams, {built.Vocabulary} ids");

        TrieWriter.Write(built.Source, counts, built.Vocabulary, temp.Combine("maps.trie"), rankPrefix: rankPrefix, byBuckets: false);
        // a budget of nothing: groups of 64 records (a context with more takes several bands), index slices of 256
        // n-grams (every order above the bigrams is distributed by slice first), hundreds of buckets
        TrieWriter.Write(built.Source, counts, built.Vocabulary, temp.Combine("buckets.trie"), memoryBytes: 0, rankPrefix: rankPrefix,
            byBuckets: true);

        Assert.True(counts[^1] > 12 * 256);
        Assert.Equal(File.ReadAllBytes(temp.Combine("maps.trie")), File.ReadAllBytes(temp.Combine("buckets.trie")));
        Assert.Equal(["buckets.trie", "maps.trie"], Directory.GetFiles(temp.Path).Select(Path.GetFileName).Order()); // no bucket left
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Write_ABigramAboveProbabilityOne_RefusedInOneLineByEitherSorter(bool byBuckets)
    {
        using var temp = new TempDirectory();
        var built = Build(temp, 3);
        var counts = built.Manifest.NGramCounts;
        var bytes = File.ReadAllBytes(built.Source); // the trie writer does not read the checksum: its caller has
        int at = (int)(NGramModelFile.HeaderBytes + (counts[0] + counts[1] / 2) * NGramModelFile.RecordBytes);
        ref var bigram = ref System.Runtime.InteropServices.MemoryMarshal.AsRef<NGramRecord>(bytes.AsSpan(at, NGramModelFile.RecordBytes));
        bigram = bigram with { Prob = 0.5f };
        string source = temp.Combine("ngrams.bin");
        File.WriteAllBytes(source, bytes);

        var write = Task.Run(() => TrieWriter.Write(source, counts, built.Vocabulary, temp.Combine("bad.trie"),
            memoryBytes: byBuckets ? 0 : 1L << 30, byBuckets: byBuckets));

        var refused = await Assert.ThrowsAsync<InputException>(() => write.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("2-gram has log10 p 0.5", refused.Message);
        Assert.Empty(Directory.GetFiles(temp.Path, "*.tmp", SearchOption.AllDirectories));
        Assert.False(File.Exists(temp.Combine("bad.trie")));
    }

    [Fact]
    public void MapsFit_ModelsOfEveryScale_TheIndexMapsOnlyWhereTheyFitWithFewBands()
    {
        long[] debianDocs = [387394, 3128559, 8027946, 11429187, 12693162], synthetic200M = [387391, 3128524, 62158043, 137818993, 165971904];
        Assert.True(TrieWriter.MapsFit(debianDocs, 387394, 512L << 20, ProbingWriter.MinimumBandBytes));
        Assert.False(TrieWriter.MapsFit(synthetic200M, 387391, 512L << 20, ProbingWriter.MinimumBandBytes));
        Assert.True(TrieWriter.MapsFit(synthetic200M, 387391, 8L << 30, ProbingWriter.MinimumBandBytes));
    }

    [Fact]
    public void Open_DamagedOrForeignFile_RefusedInOneLine()
    {
        using var temp = new TempDirectory();
        var built = Build(temp, 3, documents: 6, lines: 30, words: 100);
        string target = temp.Combine("kn.trie");
        TrieWriter.Write(built.Source, built.Manifest.NGramCounts, built.Vocabulary, target);
        ulong checksum = ProbingWriter.SourceChecksum(built.Source);

        Assert.Contains("another build", Assert.Throws<InputException>(() =>
            TrieNGramModel.Open(target, built.Manifest.NGramCounts, built.Vocabulary, checksum + 1)).Message);
        var bytes = File.ReadAllBytes(target);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(target, bytes);
        using (var damaged = TrieNGramModel.Open(target, built.Manifest.NGramCounts, built.Vocabulary, checksum))
            Assert.Contains("checksum", Assert.Throws<InputException>(damaged.EnsureIntact).Message);
        File.WriteAllBytes(target, bytes[..^3]);
        Assert.Contains("truncated", Assert.Throws<InputException>(() =>
            TrieNGramModel.Open(target, built.Manifest.NGramCounts, built.Vocabulary, checksum)).Message);
        File.WriteAllBytes(target, bytes[..40]);
        Assert.Contains("truncated", Assert.Throws<InputException>(() =>
            TrieNGramModel.Open(target, built.Manifest.NGramCounts, built.Vocabulary, checksum)).Message);
    }
}
