using System.Diagnostics;
using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Counting.Backends;
using LmCompare.Counting.Backends.Memory;
using LmCompare.Counting.Backends.SortedRuns;

namespace LmCompare.Counting.NGrams;

/// <summary>What <c>lmc ngram build</c> or <c>import-arpa</c> produced.</summary>
public sealed record NGramBuildResult(string Directory, NGramModelManifest Manifest, bool AlreadyComplete);

/// <summary>
/// <c>lmc ngram build</c>: <b>count</b> (the training tokens into the counting backend, <see cref="NGramCounter"/>),
/// <b>estimate</b> (<see cref="KneserNeyPipeline"/>), then <b>store</b>, <b>evaluate</b> and <b>commit</b>
/// (<see cref="NGramModelWriter"/>). Shard workers run only count (<see cref="CountShard"/>), and <see cref="Finalize"/>
/// the rest once every shard is in. <c>import-arpa</c> stores an ARPA file in place of the estimate.
/// </summary>
public sealed class NGramModelBuilder(Workspace workspace, IProgress<ProgressReport>? progress = null)
{
    /// <summary>The folder under the model's folder that holds the streaming estimate's files during the build.</summary>
    public const string EstimateFolder = ".estimate";

    public NGramBuildResult Build(string corpusName, string modelName, KneserNeySettings settings, ExistingModel existing)
    {
        settings.Validate();
        var clock = Stopwatch.StartNew();
        var corpus = OpenCorpus(corpusName);
        using var folder = ModelFolder.Claim(workspace.ModelsDirectory, modelName, existing);
        if (folder.IsComplete && existing == ExistingModel.Resume)
            return new NGramBuildResult(folder.Path, NGramModelManifest.Load(folder.ManifestPath), true);
        long trainTokens = corpus.SplitInfo(Splits.Train).Tokens;
        int partitions = settings.PartitionsFor(trainTokens);
        if (partitions > 1 && existing != ExistingModel.Resume)
            DiskSpace.Require(folder.Path, settings.StreamingDiskBytes(trainTokens), "a streaming n-gram build");
        var train = Tokens(corpus, partitions);
        using var backend = OpenBackend(settings, modelName, folder.Path, partitions, train.Length);
        var job = Job(corpus, modelName, settings);
        var stages = new Dictionary<string, double>();
        var stage = Stopwatch.StartNew();
        long from = backend.Begin(job, existing);
        backend.Count(job, from, (sink, begin) => NGramCounter.CountChunks(sink, train, settings.Order, 0, begin, train.Length, progress),
            progress);
        backend.Complete(job);
        stages["count"] = stage.Elapsed.TotalSeconds;
        var writer = new NGramModelWriter(corpus, folder, modelName, stages, clock, progress, settings.MemoryBytes, settings.Format);
        return Estimate(writer, backend, train, settings, partitions, existing);
    }

    /// <summary>
    /// Counts one shard of the training tokens into the backend <paramref name="settings"/> name (a cluster; with
    /// <paramref name="resume"/>: the rest of a shard a killed worker began). Returns the tokens counted.
    /// </summary>
    public long CountShard(string corpusName, string modelName, KneserNeySettings settings, ShardSpec shard, bool resume)
    {
        settings.Validate();
        var corpus = OpenCorpus(corpusName);
        var train = Tokens(corpus, 1);
        using var backend = OpenBackend(settings, modelName, Path.Combine(workspace.ModelsDirectory, modelName), 1, train.Length);
        var job = Job(corpus, modelName, settings, shard);
        long from = backend.Begin(job, resume ? ExistingModel.Resume : ExistingModel.Refuse);
        var (start, to) = job.Range;
        backend.Count(job, from, (sink, begin) => NGramCounter.CountChunks(sink, train, settings.Order, start, begin, to, progress), progress);
        backend.Complete(job);
        return to - from;
    }

    /// <summary>The model from the shards' counts once every shard is in; before that, names the missing shards.</summary>
    public NGramBuildResult Finalize(string corpusName, string modelName, KneserNeySettings settings, ExistingModel existing)
    {
        settings.Validate();
        var clock = Stopwatch.StartNew();
        var corpus = OpenCorpus(corpusName);
        int partitions = settings.PartitionsFor(corpus.SplitInfo(Splits.Train).Tokens);
        var train = Tokens(corpus, partitions);
        using var backend = OpenBackend(settings, modelName, Path.Combine(workspace.ModelsDirectory, modelName), partitions, train.Length);
        backend.RequireAllShards(Job(corpus, modelName, settings));
        // A finished model stays whole until the shards' counts are read (a cluster that does not answer leaves it as it was):
        // claim without clearing; the store write, which does not resume here, clears the folder once the estimate is made.
        var claim = existing == ExistingModel.Refuse ? ExistingModel.Refuse : ExistingModel.Resume;
        using var folder = ModelFolder.Claim(workspace.ModelsDirectory, modelName, claim);
        var writer = new NGramModelWriter(corpus, folder, modelName, [], clock, progress, settings.MemoryBytes, settings.Format);
        return Estimate(writer, backend, train, settings, partitions, ExistingModel.Replace);
    }

    /// <param name="memoryBytes">Budget of the binary stage (see <see cref="NGramModelWriter"/>).</param>
    public NGramBuildResult ImportArpa(string arpaPath, string corpusName, string modelName, ExistingModel existing,
        long memoryBytes = 1L << 30, string format = KneserNeySettings.Probing)
    {
        var clock = Stopwatch.StartNew();
        var corpus = TokenizedCorpus.Open(workspace, corpusName);
        var stages = new Dictionary<string, double>();
        var stage = Stopwatch.StartNew();
        progress?.Report(new ProgressReport("read ARPA", 0, null, "n-grams"));
        var data = ArpaFile.Read(arpaPath, corpus.Vocabulary);
        stages["read"] = stage.Elapsed.TotalSeconds;
        var claim = existing == ExistingModel.Resume ? ExistingModel.Replace : existing;
        using var folder = ModelFolder.Claim(workspace.ModelsDirectory, modelName, claim);
        var writer = new NGramModelWriter(corpus, folder, modelName, stages, clock, progress, memoryBytes, format);
        return writer.Store(ModelRecords.From(data),
            m => m with { Source = "arpa", ArpaPath = Path.GetFullPath(arpaPath), DiscountFallback = false });
    }

    /// <summary>Stages estimate to commit over the counts in <paramref name="backend"/>.</summary>
    private NGramBuildResult Estimate(NGramModelWriter writer, ICountingBackend backend, TrainingTokens train, KneserNeySettings settings,
        int partitions, ExistingModel existing)
    {
        var stage = Stopwatch.StartNew();
        string work = writer.Folder.FilePath(EstimateFolder);
        var records = KneserNeyPipeline.Estimate(backend, train, writer.Corpus.Vocabulary.Count, settings, partitions, work,
            Fingerprint(writer.Corpus, settings) + $"/whole={settings.WholeVocabulary}", existing == ExistingModel.Resume, progress);
        writer.Stages["estimate"] = stage.Elapsed.TotalSeconds;
        var result = writer.Store(records,
            m => m with { Source = "kneser-ney", DiscountFallback = settings.DiscountFallback, CountStore = backend.Location });
        foreach (string folder in new[] { work, writer.Folder.FilePath(SortedRunCountingBackend.WorkFolder) })
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        return result;
    }

    /// <summary>The backend <paramref name="settings"/> name; by default memory, or sorted runs when the build exceeds --memory.</summary>
    private static ICountingBackend OpenBackend(KneserNeySettings settings, string modelName, string directory, int partitions,
        long trainTokens)
    {
        var factory = settings.Backend
            ?? (partitions == 1 ? MemoryCountingBackend.Create : SortedRunCountingBackend.Factory(settings.Order, settings.ChunkTokens));
        return factory(new CountingTarget(modelName, directory, trainTokens * settings.Order / 2, settings.MemoryBytes));
    }

    /// <summary>The whole training split, or one shard of it: the raw counts depend on the corpus and the order only.</summary>
    private static CountJob Job(TokenizedCorpus corpus, string modelName, KneserNeySettings settings, ShardSpec? shard = null) =>
        new(modelName, $"{corpus.Fingerprint()}/order={settings.Order}", $"corpus {corpus.Name}, --order {settings.Order}",
            corpus.SplitInfo(Splits.Train).Tokens, shard, corpus.Vocabulary.Count);

    /// <summary>The training split whole when the build fits its memory, else read range by range from its file.</summary>
    private static TrainingTokens Tokens(TokenizedCorpus corpus, int partitions) => partitions == 1
        ? TrainingTokens.InMemory(corpus.ReadTokens(Splits.Train))
        : TrainingTokens.FromFile(corpus.TokenPath(Splits.Train), corpus.Vocabulary.Count);

    private TokenizedCorpus OpenCorpus(string corpusName)
    {
        var corpus = TokenizedCorpus.Open(workspace, corpusName);
        if (corpus.SplitInfo(Splits.Train).Words == 0) throw new InputException($"corpus '{corpusName}' has no training tokens");
        return corpus;
    }

    /// <summary>What a resumed store write must match: the corpus and the settings that change the model.</summary>
    internal static string Fingerprint(TokenizedCorpus corpus, KneserNeySettings settings) =>
        $"{corpus.Fingerprint()}/order={settings.Order}/fallback={settings.DiscountFallback}";
}
