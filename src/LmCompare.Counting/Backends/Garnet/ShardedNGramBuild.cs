using LmCompare.Counting.NGrams;
using System.Diagnostics;
using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Counting.Stores;

namespace LmCompare.Counting.Backends.Garnet;

/// <summary>
/// Kneser-Ney counting split over workers that share one Garnet cluster. Stage <b>count</b> runs in the workers: each
/// counts the padded windows ending in its range of the training tokens (<see cref="NGramClusterCounts"/>). Stage
/// <b>finalize</b> runs once every shard is in: read the counts, then adjust, discount and interpolate exactly as the
/// embedded build does, and store the model locally; the result equals the embedded build's.
/// </summary>
public static class ShardedNGramBuild
{
    private static string ShardFingerprint(TokenizedCorpus corpus, KneserNeySettings settings, int shards) =>
        $"{corpus.Fingerprint()}/order={settings.Order}|shards={shards}";

    /// <summary>Counts one shard into the cluster (with <paramref name="resume"/>: the rest of a shard a killed worker began). Returns the tokens
    /// counted.</summary>
    public static long CountShard(Workspace workspace, string corpusName, string modelName, KneserNeySettings settings, GarnetStoreSettings garnet,
        ShardSpec shard, bool resume, IProgress<ProgressReport>? progress = null, int chunkTokens = NGramClusterCounts.ChunkTokens)
    {
        settings.Validate();
        var corpus = TokenizedCorpus.Open(workspace, corpusName);
        NGramClusterCounts.CheckVocabulary(corpus.Vocabulary.Count);
        string fingerprint = ShardFingerprint(corpus, settings, shard.Count);
        var train = corpus.ReadTokens(Splits.Train);
        return ShardLedger.RunShard(garnet with { Model = modelName }, shard, fingerprint, resume, train.Length, (store, begin, from, to) =>
            NGramClusterCounts.CountInto(store, train, settings.Order, from, begin, to, fingerprint, progress, chunkTokens), progress);
    }

    /// <summary>The model from the cluster's counts once every shard is in; before that, names the missing shards.</summary>
    public static NGramBuildResult Finalize(Workspace workspace, string corpusName, string modelName, KneserNeySettings settings,
        GarnetStoreSettings garnet,
        ExistingModel existing, IProgress<ProgressReport>? progress = null)
    {
        settings.Validate();
        var clock = Stopwatch.StartNew();
        var corpus = TokenizedCorpus.Open(workspace, corpusName);
        var stages = new Dictionary<string, double>();
        var stage = Stopwatch.StartNew();
        NGramTable[] tables;
        using (var store = GarnetCountStore.Connect(garnet with { Model = modelName }))
        {
            ShardLedger.CheckComplete(store, garnet.Endpoints, n => ShardFingerprint(corpus, settings, n),
                $"corpus {corpusName}, --order {settings.Order}");
            store.Fold(progress);
            stages["fold"] = stage.Elapsed.TotalSeconds;
            stage.Restart();
            progress?.Report(new ProgressReport("read", 0, null, "n-grams"));
            tables = NGramClusterCounts.Read(store, settings.Order, corpus.Vocabulary.Count, corpus.SplitInfo(Splits.Train).Tokens, progress);
        }
        stages["read"] = stage.Elapsed.TotalSeconds;
        stage.Restart();
        var train = corpus.ReadTokens(Splits.Train);
        var rank = KneserNeyEstimator.KenLmRanks(train, corpus.Vocabulary.Count);
        var quirk = KneserNeyEstimator.LastPaddedWindow(train, settings.Order, rank);
        var data = KneserNeyEstimator.FromCounts(tables, quirk, rank, corpus.Vocabulary.Count, settings, progress);
        stages["estimate"] = stage.Elapsed.TotalSeconds;
        return new NGramModelBuilder(workspace, progress).StoreEstimate(corpus, modelName, data, settings, existing, stages, clock, garnet.Location);
    }

    /// <summary>
    /// <c>ngram build --store</c> without <c>--shard</c>: this process is the one worker (shard 0/1), then finalizes.
    /// <paramref name="existing"/>: Replace drops the model's counts from the cluster first; Resume continues the shard.
    /// </summary>
    public static NGramBuildResult BuildInOneProcess(Workspace workspace, string corpusName, string modelName, KneserNeySettings settings,
        GarnetStoreSettings garnet, ExistingModel existing, IProgress<ProgressReport>? progress = null)
    {
        var whole = new ShardSpec(0, 1);
        if (existing == ExistingModel.Refuse && Directory.Exists(Path.Combine(workspace.ModelsDirectory, modelName)))
            throw new UsageException($"model {modelName} already exists; use --force to rebuild it or --resume to continue it");
        bool counted, started;
        using (var store = GarnetCountStore.Connect(garnet with { Model = modelName, Worker = whole.Worker }))
        {
            if (existing == ExistingModel.Replace) store.Drop();
            counted = store.ShardMarkers().ContainsKey(0);
            started = store.ShardsStarted().ContainsKey(0);
        }
        bool resume = existing == ExistingModel.Resume;
        if (!(counted && resume)) CountShard(workspace, corpusName, modelName, settings, garnet, whole, resume && started, progress);
        return Finalize(workspace, corpusName, modelName, settings, garnet,
            existing == ExistingModel.Refuse ? ExistingModel.Refuse : ExistingModel.Replace, progress);
    }
}
