using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Counting.NGrams;
using LmCompare.Counting.Backends;
using LmCompare.Counting.Backends.Faster;
using LmCompare.Counting.Backends.Garnet;
using LmCompare.Counting.Backends.Memory;
using LmCompare.Counting.Stores;
using LmCompare.Tests;

namespace LmCompare.Counting.Tests;

/// <summary>Counting a range of the training tokens, as a shard worker does, without a cluster.</summary>
[Trait("Category", "Slow")] // a Garnet cluster, a browser, lmc processes or seconds of work: not in tests/run.sh --fast
public class NGramClusterCountsTests
{
    private static int[] Tokens(int seed, int count)
    {
        var random = new Random(seed);
        // ids 3..12 with </s> (2) now and then: sentences of every length, including ones shorter than N
        return Enumerable.Range(0, count).Select(_ => random.Next(8) == 0 ? SpecialTokens.SentenceEndId : 3
            + random.Next(10)).Append(SpecialTokens.SentenceEndId).ToArray();
    }

    [Theory]
    [InlineData(3, 1)]
    [InlineData(5, 2)]
    [InlineData(5, 7)]
    public void CountRange_ConsecutiveRanges_AddUpToTheWholeCount(int order, int seed)
    {
        var tokens = Tokens(seed, 400);
        var whole = KneserNeyEstimator.NewTables(order, 16, tokens.Length);
        var rank = KneserNeyEstimator.KenLmRanks(tokens, 16);
        var quirk = KneserNeyEstimator.CountPadded(tokens, whole, rank);
        var parts = KneserNeyEstimator.NewTables(order, 16, tokens.Length);
        long[] cuts = [0, 1, 2, 37, 38, 150, 399, tokens.Length];
        for (int c = 0; c + 1 < cuts.Length; c++) KneserNeyEstimator.CountRange(tokens, parts, cuts[c], cuts[c + 1]);

        for (int k = 0; k < order; k++)
        {
            Assert.Equal(whole[k].Count, parts[k].Count);
            for (int i = 0; i < whole[k].Count; i++) Assert.Equal(whole[k].Raw[i], parts[k].Raw[parts[k].Find(whole[k].Words(i))]);
        }
        Assert.Equal(quirk, KneserNeyEstimator.LastPaddedWindow(tokens, order, rank));
    }

    [Fact]
    public void Field_Words_RoundTrip_ThreeBytesPerWord()
    {
        int[] words = [0, 1, 255, 256, 65_535, 65_536, NGramClusterCounts.MaxVocabulary - 1];
        var field = NGramClusterCounts.Field(words);
        Assert.Equal(3 * words.Length, field.Length);
        Assert.Equal(words, NGramClusterCounts.Words(field));
    }
}

/// <summary>Kneser-Ney counts in the real test cluster: sharded workers, a resumed worker, finalize.</summary>
[Trait("Category", "Slow")] // a Garnet cluster, a browser, lmc processes or seconds of work: not in tests/run.sh --fast
public class GarnetNGramBuildTests
{
    private static readonly KneserNeySettings Settings = new(Order: 4, DiscountFallback: true);

    [Fact]
    public void TwoShards_ResumedAndReplayed_Finalize_SameModelAsTheEmbeddedBuild()
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp);
        string model = "ngram-" + Guid.NewGuid().ToString("N")[..8];
        var garnet = new GarnetStoreSettings(GarnetEndpoints.Cluster, model, Shards: 8);
        var embedded = new NGramModelBuilder(workspace).Build("random", "embedded", Settings, ExistingModel.Refuse);
        try
        {
            ShardedNGramBuild.CountShard(workspace, "random", model, Settings, garnet, new ShardSpec(1, 2), resume: false, chunkTokens: 200);
            var early = Assert.Throws<InputException>(() => ShardedNGramBuild.Finalize(workspace, "random", model, Settings, garnet,
                ExistingModel.Refuse));
            Assert.Contains("shard(s) 0/2 not counted yet", early.Message);
            var mixed = Assert.Throws<InputException>(() =>
                ShardedNGramBuild.CountShard(workspace, "random", model, Settings with { Order = 3 }, garnet, new ShardSpec(0, 2), resume: false));
            Assert.Contains("mixing shards built with different settings", mixed.Message);

            // Shard 0 dies after its first chunks: it was started, its cookie says where its last whole chunk ends, and the
            // chunk after that reached the cluster too (the worker died between sending it and recording it).
            var corpus = TokenizedCorpus.Open(workspace, "random");
            var train = corpus.ReadTokens(Splits.Train);
            var (from, to) = new ShardSpec(0, 2).Range(train.Length);
            string fingerprint = $"{corpus.Fingerprint()}/order=4|shards=2";
            using (var store = GarnetCountStore.Connect(garnet with { Worker = "shard0" }))
            {
                store.MarkShardStarted(0, fingerprint);
                Assert.True(to - from > 1000);
                NGramClusterCounts.CountInto(store, train, 4, from, from, from + 400, fingerprint, null, chunkTokens: 200);
                NGramClusterCounts.CountInto(store, train, 4, from, from + 400, from + 600, "not-recorded", null, chunkTokens: 200);
                store.Checkpoint(new CountProgress(from + 400, fingerprint).ToBytes());
            }
            var again = Assert.Throws<InputException>(() => ShardedNGramBuild.CountShard(workspace, "random", model, Settings, garnet,
                new ShardSpec(0, 2), resume: false));
            Assert.Contains("--resume", again.Message);
            long counted = ShardedNGramBuild.CountShard(workspace, "random", model, Settings, garnet, new ShardSpec(0, 2), resume: true,
                chunkTokens: 200);
            Assert.Equal(to - from - 400, counted);

            var final = ShardedNGramBuild.Finalize(workspace, "random", model, Settings, garnet, ExistingModel.Refuse);
            Assert.Equal(embedded.Manifest.NGramCounts, final.Manifest.NGramCounts);
            Assert.Equal(embedded.Manifest.Discounts, final.Manifest.Discounts);
            Assert.Equal(embedded.Manifest.TestPerplexity, final.Manifest.TestPerplexity);
            Assert.Equal(embedded.Manifest.ValidPerplexity, final.Manifest.ValidPerplexity);
            Assert.Equal("garnet://" + GarnetEndpoints.Cluster, final.Manifest.CountStore);
            AssertSameNGrams(workspace, "embedded", model); // every probability and backoff, bit for bit
        }
        finally
        {
            using var store = GarnetCountStore.Connect(garnet);
            store.Drop();
        }
    }

    [Fact]
    public void BuildInOneProcess_SameAsEmbedded_ThenRefusesTheNameWithoutForce()
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp);
        string model = "ngram1-" + Guid.NewGuid().ToString("N")[..8];
        var garnet = new GarnetStoreSettings(GarnetEndpoints.Cluster, model, Shards: 8);
        var embedded = new NGramModelBuilder(workspace).Build("random", "embedded", Settings, ExistingModel.Refuse);
        try
        {
            var built = ShardedNGramBuild.BuildInOneProcess(workspace, "random", model, Settings, garnet, ExistingModel.Refuse);
            Assert.Equal(embedded.Manifest.TestPerplexity, built.Manifest.TestPerplexity);
            Assert.Throws<UsageException>(() => ShardedNGramBuild.BuildInOneProcess(workspace, "random", model, Settings, garnet,
                ExistingModel.Refuse));
            var rebuilt = ShardedNGramBuild.BuildInOneProcess(workspace, "random", model, Settings, garnet, ExistingModel.Replace);
            Assert.Equal(embedded.Manifest.NGramCounts, rebuilt.Manifest.NGramCounts); // --force dropped the first counts: nothing doubled
        }
        finally
        {
            using var store = GarnetCountStore.Connect(garnet);
            store.Drop();
        }
    }

    private static void AssertSameNGrams(Workspace workspace, string expectedModel, string actualModel)
    {
        using var expected = NGramModelLoader.Load(workspace, expectedModel);
        using var actual = NGramModelLoader.Load(workspace, actualModel);
        for (int k = 0; k < expected.Order; k++)
        {
            NGramTable e = expected.Data.Tables[k], a = actual.Data.Tables[k];
            Assert.Equal(e.Count, a.Count);
            for (int i = 0; i < e.Count; i++)
            {
                int j = a.Find(e.Words(i));
                Assert.True(j >= 0);
                Assert.Equal((e.Adjusted[i], e.Prob[i], e.Backoff[i]), (a.Adjusted[j], a.Prob[j], a.Backoff[j]));
            }
        }
    }
}
