using System.Diagnostics;
using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Counting.Backends;

namespace LmCompare.Counting.Pairs;

/// <summary>
/// Pair counting split over workers that share one counting backend (a cluster): each worker counts its shard of the
/// training tokens and has the backend record it as counted (with the settings it used); <see cref="Finalize"/> derives
/// the tables once every shard is in, exactly as a single-process build would from the same counts.
/// </summary>
public static class ShardedPairBuild
{
    /// <summary>Counts one shard (or, with <paramref name="resume"/>, the rest of a shard a killed worker began); the
    /// backend refuses a shard already counted or one whose peers used other settings. Returns the tokens counted.</summary>
    public static long CountShard(Workspace workspace, string corpusName, string modelName, PairModelSettings settings, ShardSpec shard,
        IProgress<ProgressReport>? progress = null, bool resume = false)
    {
        settings.Validate();
        var corpus = new PairModelBuilder(workspace, progress).OpenCorpus(corpusName);
        var job = PairModelBuilder.Job(corpus, modelName, settings, shard);
        var train = NGrams.TrainingTokens.FromFile(corpus.TokenPath(Splits.Train), corpus.Vocabulary.Count);
        var documents = corpus.ReadDocuments(Splits.Train);
        var (from, to) = job.Range;
        using var backend = PairModelBuilder.OpenBackend(settings, modelName, Path.Combine(workspace.ModelsDirectory, modelName), to - from);
        long start = backend.Begin(job, resume ? ExistingModel.Resume : ExistingModel.Refuse);
        var counter = new PairCounter(settings, progress);
        backend.Count(job, start, (sink, begin) => counter.Count(train, documents, begin, sink, to, from), progress);
        backend.Complete(job);
        return to - start;
    }

    /// <summary>Derives, fits, evaluates and writes the model once every shard is counted; before that, names the missing shards.</summary>
    public static PairBuildResult Finalize(Workspace workspace, string corpusName, string modelName, PairModelSettings settings,
        ExistingModel existing,
        IProgress<ProgressReport>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        settings.Validate();
        var builder = new PairModelBuilder(workspace, progress);
        var corpus = builder.OpenCorpus(corpusName);
        var job = PairModelBuilder.Job(corpus, modelName,
            settings) with { SettingsDescription = $"corpus {corpusName}, --distances {settings.Distances}" };
        using var backend = PairModelBuilder.OpenBackend(settings, modelName, Path.Combine(workspace.ModelsDirectory, modelName), job.TrainTokens);
        backend.RequireAllShards(job);
        // A finished model stays whole until the counts are read (a cluster that does not answer leaves it as it was).
        using var folder = ModelFolder.Claim(workspace.ModelsDirectory, modelName,
            existing == ExistingModel.Refuse ? ExistingModel.Refuse : ExistingModel.Resume);
        var stages = new Dictionary<string, double>();
        var stage = Stopwatch.StartNew();
        ulong hash = builder.Derive(backend, folder, corpus.Vocabulary.Count, settings); // replaces the tables file only once complete
        folder.Clear(PairModelBuilder.TablesFile);
        stages["derive"] = stage.Elapsed.TotalSeconds;
        return builder.Finish(corpus, folder, modelName, settings, hash, job.TrainTokens, 0, stages, clock, 0, backend);
    }
}
