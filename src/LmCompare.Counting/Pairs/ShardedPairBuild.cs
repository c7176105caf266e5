using System.Diagnostics;
using System.Globalization;
using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Counting.Stores;

namespace LmCompare.Counting.Pairs;

/// <summary>
/// Pair counting split over workers that share one Garnet cluster: each worker counts its shard and records it as done
/// (with the settings it used); <see cref="Finalize"/> derives the tables once every shard is in, exactly as an
/// embedded build would from the same counts.
/// </summary>
public static class ShardedPairBuild
{
    private static string ShardFingerprint(TokenizedCorpus corpus, PairModelSettings settings, int shards) =>
        $"{PairModelBuilder.Fingerprint(corpus, settings)}|shards={shards}";

    /// <summary>Counts one shard into the cluster (or, with <paramref name="resume"/>, the rest of a shard a killed worker
    /// began); refuses a shard already counted or one whose peers used other settings. Returns the tokens counted.</summary>
    public static long CountShard(Workspace workspace, string corpusName, string modelName, PairModelSettings settings, ShardSpec shard,
        IProgress<ProgressReport>? progress = null, bool resume = false)
    {
        settings.Validate();
        var garnet = settings.Store ?? throw new UsageException("--shard needs --store garnet://...: workers meet in the cluster");
        var corpus = TokenizedCorpus.Open(workspace, corpusName);
        string fingerprint = ShardFingerprint(corpus, settings, shard.Count);
        var train = corpus.ReadTokens(Splits.Train);
        var documents = corpus.ReadDocuments(Splits.Train);
        // Merges happen only where the table fills (never by the clock), so a resumed worker's merges end where the first
        // run's did and carry the same batch ids: a half-applied merge is not counted twice.
        return ShardLedger.RunShard(garnet with { Model = modelName }, shard, fingerprint, resume, train.Length, (store, begin, from, to) =>
            new PairCounter(store, settings with { CheckpointSeconds = int.MaxValue }, progress).Count(train, documents, begin, fingerprint, to, from), progress);
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
        try { ShardLedger.CheckComplete(store, garnet.Endpoints, n => ShardFingerprint(corpus, settings, n), $"corpus {corpusName}, --distances {settings.Distances}"); }
        catch
        {
            store.Dispose();
            throw;
        }
        using var folder = ModelFolder.Claim(workspace.ModelsDirectory, modelName, existing);
        folder.Clear();
        var stages = new Dictionary<string, double>();
        var stage = Stopwatch.StartNew();
        store.Fold(progress);
        stages["fold"] = stage.Elapsed.TotalSeconds;
        stage.Restart();
        var tables = PairTableBuilder.Build(store, corpus.Vocabulary.Count, settings, progress); // disposes the store
        stages["derive"] = stage.Elapsed.TotalSeconds;
        return new PairModelBuilder(workspace, progress).Finish(corpus, folder, modelName, settings, tables, corpus.SplitInfo(Splits.Train).Tokens, 0, stages, clock, 0);
    }
}
