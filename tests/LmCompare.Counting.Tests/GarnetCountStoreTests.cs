using LmCompare.Core;
using LmCompare.Counting.Backends;
using LmCompare.Counting.Backends.Faster;
using LmCompare.Counting.Backends.Garnet;
using LmCompare.Counting.Backends.Memory;
using LmCompare.Counting.Stores;
using LmCompare.Tests;

namespace LmCompare.Counting.Tests;

/// <summary>
/// Against a real Garnet cluster: tests/run.sh starts one (eval/garnet-cluster.sh up) and sets LMC_GARNET; run by hand,
/// start it first. Never skipped: without a cluster these tests fail and say how to start one.
/// </summary>
[Trait("Category", "Slow")] // a Garnet cluster, a browser, lmc processes or seconds of work: not in tests/run.sh --fast
public class GarnetCountStoreTests
{
    private static string Home => GarnetEndpoints.Home;

    private static string Endpoints => GarnetEndpoints.Cluster;

    private static GarnetCountStore Connect(string model, string worker = "w0") =>
        GarnetCountStore.Connect(new GarnetStoreSettings(Endpoints, model, Worker: worker, SlotGroups: 16, FieldsPerCall: 100));

    private static string NewModel() => "test-" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public void AddBatch_RandomDeltas_SameCountsAsAMemoryStore()
    {
        string model = NewModel();
        using var store = Connect(model);
        var memory = new MemoryCountStore();
        var random = new Random(12);
        try
        {
            for (int batch = 0; batch < 5; batch++)
            {
                var keys = Enumerable.Range(0, 2000).Select(_ => (long)random.Next(0, 3000) << 20 | (long)random.Next(8)).ToArray();
                var deltas = keys.Select(_ => (long)random.Next(1, 5)).ToArray();
                store.AddBatch(keys, deltas);
                memory.AddBatch(keys, deltas);
            }
            var expected = memory.ScanRecords().OrderBy(kv => kv.Key).ToList();
            Assert.Equal(expected, store.ScanRecords().OrderBy(kv => kv.Key).ToList());
            var probe = expected.Take(50).Select(kv => kv.Key).Append(-7).ToArray();
            var values = new long[probe.Length];
            store.GetBatch(probe, values);
            Assert.Equal(expected.Take(50).Select(kv => kv.Value).Append(0), values);
        }
        finally { store.Drop(); }
    }

    [Fact]
    public void ApplyBatch_SameBatchTwice_CountedOnce()
    {
        string model = NewModel();
        using var store = Connect(model);
        try
        {
            long[] keys = [1, 2, 3, 1 << 30], deltas = [5, 6, 7, 8];
            store.ApplyBatch("worker-a:1", keys, deltas);
            store.ApplyBatch("worker-a:1", keys, deltas); // a retry after a timeout, or a replay after a restart
            store.ApplyBatch("worker-b:1", keys, deltas); // another worker's batch does count
            var values = new long[4];
            store.GetBatch(keys, values);
            Assert.Equal([10, 12, 14, 16], values);
        }
        finally { store.Drop(); }
    }

    [Fact]
    public void ApplyBatch_RepeatedKeysInOneBatch_Summed()
    {
        string model = NewModel();
        using var store = Connect(model);
        try
        {
            store.ApplyBatch("w:1", [7, 9, 7, 7], [1, 2, 3, 4]);
            var values = new long[2];
            store.GetBatch([7, 9], values);
            Assert.Equal([8, 2], values);
        }
        finally { store.Drop(); }
    }

    [Fact]
    public void Fold_PartsOfSeveralBatches_CountsUnchanged_PartsGone_FoldingAgainChangesNothing()
    {
        string model = NewModel();
        using var store = Connect(model);
        var memory = new MemoryCountStore();
        var random = new Random(5);
        try
        {
            for (int batch = 0; batch < 4; batch++)
            {
                long[] keys = [.. Enumerable.Range(0, 500).Select(_ => (long)random.Next(0, 700))];
                long[] deltas = [.. keys.Select(_ => (long)random.Next(1, 9))];
                store.ApplyBatch($"w:{batch}", keys, deltas);
                memory.AddBatch(keys, deltas);
            }
            var expected = memory.ScanRecords().OrderBy(kv => kv.Key).ToList();
            Assert.Equal(expected, store.ScanRecords().OrderBy(kv => kv.Key).ToList()); // summed from the parts
            Assert.True(store.RecordsUpperBound > expected.Count);                       // a key in several parts is in each
            Assert.False(store.IsFolded);
            store.Fold();
            store.Fold();
            Assert.True(store.IsFolded);
            Assert.Equal(expected, store.ScanRecords().OrderBy(kv => kv.Key).ToList()); // read from the count hashes
            Assert.Equal(expected.Count, store.RecordsUpperBound);                      // the parts are gone
            var values = new long[3];
            store.GetBatch([expected[0].Key, expected[^1].Key, -1], values);
            Assert.Equal([expected[0].Value, expected[^1].Value, 0], values);
        }
        finally { store.Drop(); }
    }

    [Fact]
    public void Checkpoint_Cookie_RecoveredByANewConnection()
    {
        string model = NewModel();
        using (var store = Connect(model, "w3")) store.Checkpoint([1, 2, 3]);
        using var again = Connect(model, "w3");
        Assert.Equal([1, 2, 3], again.RecoveredCookie);
        again.Drop();
    }

    [Fact]
    public void Connect_UnreachableEndpoint_OneClearError()
    {
        var e = Assert.Throws<InputException>(() => GarnetCountStore.Connect(new GarnetStoreSettings("127.0.0.1:1", "x", TimeoutMilliseconds: 1000)));
        Assert.Contains("unreachable", e.Message);
    }

    [Fact]
    public void Connect_ClusterWithUnassignedSlots_RefusedInOneLine()
    {
        string endpoint = File.ReadAllText(Path.Combine(Home, "bare-endpoint")).Trim();
        var e = Assert.Throws<InputException>(() => GarnetCountStore.Connect(new GarnetStoreSettings(endpoint, "x", TimeoutMilliseconds: 2000)));
        Assert.Contains("not every hash slot is assigned", e.Message);
    }

    [Fact]
    public void Connect_PasswordProtectedNode_RightPasswordWorks_WrongOneRefused()
    {
        string endpoint = File.ReadAllText(Path.Combine(Home, "secure-endpoint")).Trim();
        string password = Environment.GetEnvironmentVariable("LMC_GARNET_TEST_PASSWORD") ?? "lmc-test-secret";
        var wrong = Assert.Throws<InputException>(() => GarnetCountStore.Connect(new GarnetStoreSettings(endpoint, "x", "not-it",
            TimeoutMilliseconds: 2000)));
        Assert.Contains("authentication failed", wrong.Message);
        Assert.DoesNotContain("not-it", wrong.Message); // a password is never printed
        using var store = GarnetCountStore.Connect(new GarnetStoreSettings(endpoint, NewModel(), password, SlotGroups: 4));
        store.ApplyBatch("b", [42], [3]);
        var value = new long[1];
        store.GetBatch([42], value);
        Assert.Equal(3, value[0]);
        store.Drop();
    }

    [Theory]
    [InlineData("garnet://127.0.0.1:7301,127.0.0.1:7302", "127.0.0.1:7301,127.0.0.1:7302", null)]
    [InlineData("garnet://user:s3cret@10.0.0.1:6379", "10.0.0.1:6379", "s3cret")]
    public void Parse_Uri_EndpointsAndPassword(string uri, string endpoints, string? password)
    {
        var settings = GarnetStoreSettings.Parse(uri, "m");
        Assert.Equal(endpoints, settings.Endpoints);
        if (password is not null) Assert.Equal(password, settings.Password);
    }
}

[Trait("Category", "Slow")] // a Garnet cluster, a browser, lmc processes or seconds of work: not in tests/run.sh --fast
public class GarnetPairBuildTests
{
    [Fact]
    public void Build_IntoTheCluster_SameModelAsTheEmbeddedBuild()
    {
        using var temp = new LmCompare.Tests.TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp);
        string endpoints = GarnetEndpoints.Cluster;
        string model = "pairs-" + Guid.NewGuid().ToString("N")[..8];
        var embedded = PairFixtures.Build(workspace, "random", "embedded", new Pairs.PairModelSettings(Distances: 3, TopK: 5, MemoryBytes: 1 << 20));
        var garnet = new GarnetStoreSettings(endpoints, model, SlotGroups: 8);
        // a small memory budget: several merges, so several batches reach the cluster
        var clustered = PairFixtures.Build(workspace, "random", model, new Pairs.PairModelSettings(Distances: 3, TopK: 5, MemoryBytes: 1 << 20,
            Backend: GarnetCountingBackend.Factory(garnet)));
        try
        {
            Assert.Equal(embedded.Manifest.DistinctPairs, clustered.Manifest.DistinctPairs);
            Assert.Equal(embedded.Manifest.DistinctPairsPerDistance, clustered.Manifest.DistinctPairsPerDistance);
            Assert.Equal(embedded.Manifest.TablesXxHash64, clustered.Manifest.TablesXxHash64); // byte-identical tables
            Assert.Equal(embedded.Manifest.TestPerplexity, clustered.Manifest.TestPerplexity);
            Assert.StartsWith("garnet://", clustered.Manifest.Store);
            var again = Assert.Throws<LmCompare.Core.InputException>(() => PairFixtures.Build(workspace, "random", model + "-b",
                new Pairs.PairModelSettings(Distances: 3, Backend: GarnetCountingBackend.Factory(garnet with { Model = model }))));
            Assert.Contains("already has counts in the cluster", again.Message);
            var resume = Assert.Throws<LmCompare.Core.InputException>(() => PairFixtures.Build(workspace, "random", model + "-c",
                new Pairs.PairModelSettings(Distances: 4, Backend: GarnetCountingBackend.Factory(garnet with { Model = model })),
                    LmCompare.Core.ExistingModel.Resume));
            Assert.Contains("counted from another corpus or with other settings", resume.Message);
        }
        finally
        {
            using var store = GarnetCountStore.Connect(garnet);
            store.Drop();
        }
    }
}

[Trait("Category", "Slow")] // a Garnet cluster, a browser, lmc processes or seconds of work: not in tests/run.sh --fast
public class ShardedPairBuildTests
{
    [Fact]
    public void TwoShards_Finalize_SameModelAsTheEmbeddedBuild_AndRefusalsBefore()
    {
        using var temp = new LmCompare.Tests.TempDirectory();
        var workspace = PairFixtures.RandomCorpus(temp);
        string endpoints = GarnetEndpoints.Cluster;
        string model = "shards-" + Guid.NewGuid().ToString("N")[..8];
        var garnet = new GarnetStoreSettings(endpoints, model, SlotGroups: 8);
        var settings = new Pairs.PairModelSettings(Distances: 3, TopK: 5, MemoryBytes: 1 << 20, Backend: GarnetCountingBackend.Factory(garnet));
        var embedded = PairFixtures.Build(workspace, "random", "embedded", settings with { Backend = null });
        try
        {
            Pairs.ShardedPairBuild.CountShard(workspace, "random", model, settings, new ShardSpec(1, 2));
            var early = Assert.Throws<LmCompare.Core.InputException>(() => Pairs.ShardedPairBuild.Finalize(workspace, "random", model, settings,
                LmCompare.Core.ExistingModel.Refuse));
            Assert.Contains("shard(s) 0/2 not counted yet", early.Message);
            var mixed = Assert.Throws<LmCompare.Core.InputException>(() =>
                Pairs.ShardedPairBuild.CountShard(workspace, "random", model, settings with { Distances = 4 }, new ShardSpec(0, 2)));
            Assert.Contains("mixing shards built with different settings", mixed.Message);
            Pairs.ShardedPairBuild.CountShard(workspace, "random", model, settings, new ShardSpec(0, 2));
            Assert.Throws<LmCompare.Core.InputException>(() => Pairs.ShardedPairBuild.CountShard(workspace, "random", model, settings,
                new ShardSpec(0, 2)));

            var final = Pairs.ShardedPairBuild.Finalize(workspace, "random", model, settings, LmCompare.Core.ExistingModel.Refuse);
            Assert.Equal(embedded.Manifest.DistinctPairs, final.Manifest.DistinctPairs);
            Assert.Equal(embedded.Manifest.TablesXxHash64, final.Manifest.TablesXxHash64);
            Assert.Equal(embedded.Manifest.TestPerplexity, final.Manifest.TestPerplexity);
        }
        finally
        {
            using var store = GarnetCountStore.Connect(garnet);
            store.Drop();
        }
    }

    [Theory]
    [InlineData("2/2")]
    [InlineData("-1/2")]
    [InlineData("1")]
    [InlineData("a/b")]
    public void ShardSpec_Invalid_UsageError(string text) => Assert.Throws<LmCompare.Core.UsageException>(() => ShardSpec.Parse(text));
}

[Trait("Category", "Slow")] // a Garnet cluster, a browser, lmc processes or seconds of work: not in tests/run.sh --fast
public class VerifiedClusterCountTests
{
    [Fact]
    public void Run_AShardsPartsLost_ReplayRestoresThem_CountsExact()
    {
        string model = "lost-" + Guid.NewGuid().ToString("N")[..8];
        var settings = new GarnetStoreSettings(GarnetEndpoints.Cluster, model, SlotGroups: 4, FieldsPerCall: 50);
        using var store = GarnetCountStore.Connect(settings);
        try
        {
            ClusterBatchFixture.CountBatches(store, 0);
            Assert.Equal(0, store.LostBatches());
            // What a node that restarts without the tail of its append-only file looks like: one shard's parts gone
            // together with their names in its index (they are written by one transaction).
            using (var raw = StackExchange.Redis.ConnectionMultiplexer.Connect(GarnetEndpoints.Cluster))
            {
                var db = raw.GetDatabase();
                string index = $"lmc:{{{model}:2}}:parts";
                db.KeyDelete([index, .. db.SetMembers(index).Select(p => (StackExchange.Redis.RedisKey)(string)p!)]);
            }
            long lost = store.LostBatches();
            Assert.True(lost > 0);

            store.ForgetSentBatches();
            ClusterBatchFixture.CountBatches(store, 0); // the replay: same part names and contents, so only shard 2's lost parts change anything
            Assert.Equal(0, store.LostBatches());
            Assert.Equal(ClusterBatchFixture.Deltas, ClusterBatchFixture.Counts(store));
        }
        finally { store.Drop(); }
    }
}
