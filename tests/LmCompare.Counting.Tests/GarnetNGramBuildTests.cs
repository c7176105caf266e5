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

    /// <summary>The definition, spelled out: each sentence padded with N-1 &lt;s&gt;, every window ending at one of its
    /// tokens, cut to its part from the last &lt;s&gt; on.</summary>
    private static Dictionary<string, long> NaiveCounts(int[] tokens, int order)
    {
        var counts = new Dictionary<string, long>();
        var padded = new List<int>(Enumerable.Repeat(SpecialTokens.SentenceStartId, order - 1));
        foreach (int token in tokens)
        {
            padded.Add(token);
            var window = padded.Skip(padded.Count - order).ToList();
            var part = window.Skip(window.LastIndexOf(SpecialTokens.SentenceStartId)).ToList();
            string key = string.Join(' ', part);
            counts[key] = counts.GetValueOrDefault(key) + 1;
            if (token == SpecialTokens.SentenceEndId) padded = new List<int>(Enumerable.Repeat(SpecialTokens.SentenceStartId, order - 1));
        }
        return counts;
    }

    [Theory]
    [InlineData(3, 1)]
    [InlineData(5, 2)]
    [InlineData(5, 7)]
    public void CountRange_ConsecutiveRanges_AddUpToTheWholeCount(int order, int seed)
    {
        var tokens = Tokens(seed, 400);
        var whole = NaiveCounts(tokens, order);
        var parts = NGramCounter.NewTables(order, 16, tokens.Length);
        long[] cuts = [0, 1, 2, 37, 38, 150, 399, tokens.Length];
        for (int c = 0; c + 1 < cuts.Length; c++) NGramCounter.CountRange(tokens, parts, cuts[c], cuts[c + 1]);

        Assert.Equal(whole.Count, parts.Sum(t => t.Count));
        foreach (var table in parts)
            for (int i = 0; i < table.Count; i++) Assert.Equal(whole[string.Join(' ', table.Words(i).ToArray())], table.Raw[i]);
    }

    [Theory]
    [InlineData(3, 1)]
    [InlineData(5, 7)]
    public void LastPaddedWindow_IsTheLargestWindowInSuffixOrder(int order, int seed)
    {
        var tokens = Tokens(seed, 400);
        var rank = NGramCounter.KenLmRanks(TrainingTokens.InMemory(tokens), 16);
        var windows = new List<int[]>();
        var padded = new List<int>(Enumerable.Repeat(SpecialTokens.SentenceStartId, order - 1));
        foreach (int token in tokens)
        {
            padded.Add(token);
            windows.Add(padded.Skip(padded.Count - order).ToArray());
            if (token == SpecialTokens.SentenceEndId) padded = new List<int>(Enumerable.Repeat(SpecialTokens.SentenceStartId, order - 1));
        }
        // suffix order: compare from the last word back, by KenLM's ids
        string Key(int[] w) => string.Concat(w.Reverse().Select(x => rank[x].ToString("D6", System.Globalization.CultureInfo.InvariantCulture)));
        var largest = windows.OrderBy(Key, StringComparer.Ordinal).Last();

        Assert.Equal(largest, NGramCounter.LastPaddedWindow(TrainingTokens.InMemory(tokens), order, rank));
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

    private static KneserNeySettings InCluster(GarnetStoreSettings garnet) => Settings with { Backend = GarnetCountingBackend.Factory(garnet) };

    [Fact]
    public void TwoShards_ResumedAndReplayed_Finalize_SameModelAsTheEmbeddedBuild()
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp);
        string model = "ngram-" + Guid.NewGuid().ToString("N")[..8];
        var garnet = new GarnetStoreSettings(GarnetEndpoints.Cluster, model, SlotGroups: 8, NGramChunkTokens: 200);
        var builder = new NGramModelBuilder(workspace);
        var embedded = builder.Build("random", "embedded", Settings, ExistingModel.Refuse);
        try
        {
            builder.CountShard("random", model, InCluster(garnet), new ShardSpec(1, 2), resume: false);
            var early = Assert.Throws<InputException>(() => builder.Finalize("random", model, InCluster(garnet), ExistingModel.Refuse));
            Assert.Contains("shard(s) 0/2 not counted yet", early.Message);
            var mixed = Assert.Throws<InputException>(() =>
                builder.CountShard("random", model, InCluster(garnet) with { Order = 3 }, new ShardSpec(0, 2), resume: false));
            Assert.Contains("mixing shards built with different settings", mixed.Message);

            // Shard 0 dies after its first chunks: it was started, its cookie says where its last whole chunk ends, and the
            // chunk after that reached the cluster too (the worker died between sending it and recording it).
            var corpus = TokenizedCorpus.Open(workspace, "random");
            var train = corpus.ReadTokens(Splits.Train);
            var (from, to) = new ShardSpec(0, 2).Range(train.Length);
            Assert.True(to - from > 1000);
            var job = new CountJob(model, $"{corpus.Fingerprint()}/order=4", "--order", train.Length, new ShardSpec(0, 2), corpus.Vocabulary.Count);
            using (var worker = GarnetCountingBackend.Factory(garnet)(new CountingTarget(model, temp.Path, 0, 0)))
            {
                Assert.Equal(from, worker.Begin(job, ExistingModel.Refuse));
                worker.Count(job, from, (sink, begin) =>
                {
                    NGramCounter.CountChunks(sink, TrainingTokens.InMemory(train), 4, from, begin, from + 400, null);
                    var lost = NGramCounter.NewTables(4, 16, 200);
                    NGramCounter.CountRange(train, lost, from + 400, from + 600);
                    sink.AddNGrams(from + 600, lost); // sent, never committed
                }, null);
            }
            var again = Assert.Throws<InputException>(() => builder.CountShard("random", model, InCluster(garnet), new ShardSpec(0, 2),
                resume: false));
            Assert.Contains("--resume", again.Message);
            long counted = builder.CountShard("random", model, InCluster(garnet), new ShardSpec(0, 2), resume: true);
            Assert.Equal(to - from - 400, counted);

            var final = builder.Finalize("random", model, InCluster(garnet), ExistingModel.Refuse);
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
        var garnet = new GarnetStoreSettings(GarnetEndpoints.Cluster, model, SlotGroups: 8);
        var builder = new NGramModelBuilder(workspace);
        var embedded = builder.Build("random", "embedded", Settings, ExistingModel.Refuse);
        try
        {
            var built = builder.Build("random", model, InCluster(garnet), ExistingModel.Refuse);
            Assert.Equal(embedded.Manifest.TestPerplexity, built.Manifest.TestPerplexity);
            Assert.Throws<UsageException>(() => builder.Build("random", model, InCluster(garnet), ExistingModel.Refuse));
            var rebuilt = builder.Build("random", model, InCluster(garnet), ExistingModel.Replace);
            Assert.Equal(embedded.Manifest.NGramCounts, rebuilt.Manifest.NGramCounts); // --force dropped the first counts: nothing doubled
        }
        finally
        {
            using var store = GarnetCountStore.Connect(garnet);
            store.Drop();
        }
    }

    /// <summary>
    /// One pipeline, three places to count: memory (the default), sorted runs (a build beyond --memory) and the cluster
    /// (estimated in memory, and streamed partition by partition) give the same ARPA file, byte for byte, and the same
    /// manifest figures.
    /// </summary>
    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void Build_ThroughEveryBackend_ByteIdenticalArpa(int order)
    {
        using var temp = new TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp, documents: 15, linesPerDocument: 80, words: 800);
        string model = "ngram3-" + Guid.NewGuid().ToString("N")[..8];
        var garnet = new GarnetStoreSettings(GarnetEndpoints.Cluster, model, SlotGroups: 8, NGramChunkTokens: 5000);
        var settings = Settings with { Order = order };
        var builder = new NGramModelBuilder(workspace);
        try
        {
            var builds = new[]
            {
                builder.Build("random", "memory", settings, ExistingModel.Refuse),
                builder.Build("random", "streaming", settings with { Partitions = 3, MemoryBytes = 1 << 20 }, ExistingModel.Refuse),
                builder.Build("random", model, settings with { Backend = GarnetCountingBackend.Factory(garnet) }, ExistingModel.Refuse),
                builder.Build("random", model + "-s", settings with { Partitions = 3, MemoryBytes = 1 << 20, Backend = GarnetCountingBackend.Factory(
                    garnet with { Model = model + "-s" }) }, ExistingModel.Refuse), // the cluster's counts streamed, partition by partition
            };
            Assert.Equal(["memory", "sorted-runs", "garnet://" + GarnetEndpoints.Cluster, "garnet://" + GarnetEndpoints.Cluster],
                builds.Select(b => b.Manifest.CountStore));
            var arpa = builds.Select(b => ArpaBytes(workspace, b.Manifest.Name, temp)).ToList();
            Assert.True(arpa[0].Length > 10_000);
            Assert.Equal(arpa[0], arpa[1]);
            Assert.Equal(arpa[0], arpa[2]);
            Assert.Equal(arpa[0], arpa[3]);
            foreach (var build in builds.Skip(1))
            {
                Assert.Equal(builds[0].Manifest.NGramCounts, build.Manifest.NGramCounts);
                Assert.Equal(builds[0].Manifest.Discounts, build.Manifest.Discounts);
            }
        }
        finally
        {
            foreach (var settingsOfModel in new[] { garnet, garnet with { Model = model + "-s" } })
            {
                using var store = GarnetCountStore.Connect(settingsOfModel);
                store.Drop();
            }
        }
    }

    private static byte[] ArpaBytes(Workspace workspace, string model, TempDirectory temp)
    {
        using var loaded = NGramModelLoader.Load(workspace, model);
        string path = temp.Combine(model + ".arpa");
        ArpaFile.Write(path, loaded.Data, loaded.Vocabulary);
        return File.ReadAllBytes(path);
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
