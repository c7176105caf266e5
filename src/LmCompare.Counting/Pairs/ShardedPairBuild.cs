using System.Diagnostics;
using System.Globalization;
using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Counting.Stores;

namespace LmCompare.Counting.Pairs;

/// <summary>Worker i of n: the i-th of n contiguous, disjoint ranges of the training tokens (by first token of a pair).</summary>
public sealed record ShardSpec(int Index, int Count)
{
    public static ShardSpec Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out int i) || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out int n)
            || n < 1 || i < 0 || i >= n)
            throw new UsageException($"--shard {text}: expected i/n with 0 <= i < n");
        return new ShardSpec(i, n);
    }

    public (long From, long To) Range(long tokens) => (tokens * Index / Count, tokens * (Index + 1) / Count);
}

/// <summary>
/// Pair counting split over workers that share one Garnet cluster: each worker counts its shard and records it as done
/// (with the settings it used); <see cref="Finalize"/> derives the tables once every shard is in, exactly as an
/// embedded build would from the same counts.
/// </summary>
public static class ShardedPairBuild
{
    private static string ShardFingerprint(TokenizedCorpus corpus, PairModelSettings settings, int shards) =>
        $"{PairModelBuilder.Fingerprint(corpus, settings)}|shards={shards}";

    /// <summary>Counts one shard into the cluster; refuses a shard already counted or one whose peers used other settings.</summary>
    public static long CountShard(Workspace workspace, string corpusName, string modelName, PairModelSettings settings, ShardSpec shard,
        IProgress<ProgressReport>? progress = null)
    {
        settings.Validate();
        var garnet = settings.Store ?? throw new UsageException("--shard needs --store garnet://...: workers meet in the cluster");
        var corpus = TokenizedCorpus.Open(workspace, corpusName);
        string fingerprint = ShardFingerprint(corpus, settings, shard.Count);
        using var store = GarnetCountStore.Connect(garnet with { Model = modelName, Worker = $"shard{shard.Index}" });
        var markers = store.ShardsStarted();
        if (markers.Count == 0 && store.RecordsUpperBound > 0)
            throw new UsageException($"model {modelName} already has counts in the cluster that no shard worker wrote; use another name, or clear it with a single-process build (--force)");
        if (markers.FirstOrDefault(m => m.Value != fingerprint) is { Value: not null } other)
            throw new UsageException($"mixing shards built with different settings: shard {other.Key} of {modelName} was counted as {other.Value}, this one would be {fingerprint}");
        if (store.ShardMarkers().ContainsKey(shard.Index)) throw new UsageException($"shard {shard.Index}/{shard.Count} of {modelName} is already counted");
        if (markers.ContainsKey(shard.Index))
            throw new UsageException($"shard {shard.Index}/{shard.Count} of {modelName} was started before and not finished; its partial counts cannot be told apart: start the model over (single-process --force clears it)");
        store.MarkShardStarted(shard.Index, fingerprint);
        var train = corpus.ReadTokens(Splits.Train);
        var (from, to) = shard.Range(train.Length);
        new PairCounter(store, settings with { CheckpointSeconds = int.MaxValue }, progress).Count(train, corpus.ReadDocuments(Splits.Train), from, fingerprint, to, from);
        store.MarkShardDone(shard.Index, fingerprint);
        return to - from;
    }

    /// <summary>Derives, fits, evaluates and writes the model once every shard is counted; before that, names the missing shards.</summary>
    public static PairBuildResult Finalize(Workspace workspace, string corpusName, string modelName, PairModelSettings settings, ExistingModel existing,
        IProgress<ProgressReport>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        settings.Validate();
        var garnet = settings.Store ?? throw new UsageException("finalize needs --store garnet://...");
        var corpus = TokenizedCorpus.Open(workspace, corpusName);
        var store = GarnetCountStore.Connect(garnet with { Model = modelName });
        try
        {
            var markers = store.ShardMarkers();
            if (markers.Count == 0) throw new InputException($"no shard of {modelName} has been counted in the cluster at {garnet.Endpoints}");
            string any = markers.Values.First();
            int shards = int.Parse(any[(any.LastIndexOf('=') + 1)..], CultureInfo.InvariantCulture);
            string expected = ShardFingerprint(corpus, settings, shards);
            if (markers.Values.Any(v => v != expected))
                throw new InputException($"the shards of {modelName} were counted from another corpus or with other settings than corpus {corpusName}, --distances {settings.Distances}");
            var missing = Enumerable.Range(0, shards).Where(i => !markers.ContainsKey(i)).ToList();
            if (missing.Count > 0)
                throw new InputException($"{modelName}: shard(s) {string.Join(", ", missing.Select(i => $"{i}/{shards}"))} not counted yet; finalize once all {shards} are in");
        }
        catch
        {
            store.Dispose();
            throw;
        }
        using var folder = ModelFolder.Claim(workspace.ModelsDirectory, modelName, existing);
        folder.Clear();
        var stages = new Dictionary<string, double>();
        var stage = Stopwatch.StartNew();
        var tables = PairTableBuilder.Build(store, corpus.Vocabulary.Count, settings, progress); // disposes the store
        stages["derive"] = stage.Elapsed.TotalSeconds;
        return new PairModelBuilder(workspace, progress).Finish(corpus, folder, modelName, settings, tables, corpus.SplitInfo(Splits.Train).Tokens, 0, stages, clock, 0);
    }
}
