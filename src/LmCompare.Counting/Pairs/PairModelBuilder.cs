using LmCompare.Corpus.Models;
using System.Diagnostics;
using System.Globalization;
using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Counting.Backends;
using LmCompare.Counting.Backends.Faster;
using LmCompare.Counting.Backends.Memory;
using LmCompare.Counting.Backends.SortedRuns;
using LmCompare.Counting.NGrams;
using LmCompare.Counting.Stores;

namespace LmCompare.Counting.Pairs;

/// <summary>What <c>lmc pairs build</c> produced.</summary>
public sealed record PairBuildResult(string Directory, PairModelManifest Manifest, bool AlreadyComplete, long ResumedFromToken);

/// <summary>
/// <c>lmc pairs build</c> as a staged pipeline: <b>count</b> (c_d(u,v) into the counting backend, durable with a resume
/// point), <b>derive</b> (the backend's sorted counts into the scoring tables), <b>fit</b> (EM for the lambdas on the validation split),
/// <b>evaluate</b> (document-scoped validation and test perplexity), <b>commit</b> (manifest last).
/// </summary>
public sealed class PairModelBuilder(Workspace workspace, IProgress<ProgressReport>? progress = null)
{
    public const string TablesFile = "pairs.tables";

    public PairBuildResult Build(string corpusName, string modelName, PairModelSettings settings, ExistingModel existing)
    {
        var clock = Stopwatch.StartNew();
        settings.Validate();
        var corpus = OpenCorpus(corpusName);
        using var folder = ModelFolder.Claim(workspace.ModelsDirectory, modelName, existing);
        if (folder.IsComplete && existing == ExistingModel.Resume)
            return new PairBuildResult(folder.Path, PairModelManifest.Load(folder.ManifestPath), AlreadyComplete: true, 0);

        var train = TrainingTokens.FromFile(corpus.TokenPath(Splits.Train), corpus.Vocabulary.Count);
        if (Streams(settings, train.Length))
            DiskSpace.Require(folder.Path, StreamingDiskBytes(settings, train.Length), "a streaming pair build");
        PairBuildResult result;
        using (var backend = OpenBackend(settings, modelName, folder.Path, train.Length))
            result = Count(backend, corpus, folder, modelName, settings, existing, train, clock);
        // the tables hold every count (pairs dump reads them back): the build's FASTER store has done its work
        string store = folder.FilePath(FasterCountingBackend.StoreFolder);
        if (settings.Backend is null && Directory.Exists(store)) Directory.Delete(store, recursive: true);
        return result;
    }

    private PairBuildResult Count(ICountingBackend backend, TokenizedCorpus corpus, ModelFolder folder, string modelName,
        PairModelSettings settings, ExistingModel existing, TrainingTokens train, Stopwatch clock)
    {
        var job = Job(corpus, modelName, settings);
        if (existing != ExistingModel.Resume) folder.Clear();
        long resumedFrom = backend.Begin(job, existing);
        var stages = new Dictionary<string, double>();
        var stage = Stopwatch.StartNew();
        var counter = new PairCounter(settings, progress);
        var documents = corpus.ReadDocuments(Splits.Train);
        backend.Count(job, resumedFrom, (sink, from) => counter.Count(train, documents, from, sink), progress);
        stages["count"] = stage.Elapsed.TotalSeconds;
        BuildMemory.Release(); // the aggregation table is gone: give its memory back
        stage.Restart();
        ulong hash = Derive(backend, folder, corpus.Vocabulary.Count, settings);
        stages["derive"] = stage.Elapsed.TotalSeconds;
        return Finish(corpus, folder, modelName, settings, hash, train.Length, counter.Merges, stages, clock, resumedFrom, backend,
            keepsStore: settings.Backend is not null);
    }

    /// <summary>
    /// Whether the counts stream through sorted runs on disk: when the in-memory read of a FASTER store's counts (16 bytes a
    /// key, about half the (token, distance) slots distinct) and its tables would not fit --memory. Small corpora keep the
    /// FASTER store (its checkpoints, its dump).
    /// </summary>
    internal static bool Streams(PairModelSettings settings, long trainTokens) =>
        settings.Backend is null && ExpectedKeys(settings, trainTokens) * 32 > settings.MemoryBytes;

    private static long ExpectedKeys(PairModelSettings settings, long trainTokens) => Math.Min(trainTokens * settings.Distances, 1L << 34) / 2;

    /// <summary>Disk a streaming build needs at its peak: runs of up to 12 bytes per (token, distance) slot and the tables.</summary>
    internal static long StreamingDiskBytes(PairModelSettings settings, long trainTokens) => trainTokens * settings.Distances * 20;

    /// <summary>The backend <paramref name="settings"/> name, else sorted runs where the counts stream, else the embedded FASTER store.</summary>
    internal static ICountingBackend OpenBackend(PairModelSettings settings, string modelName, string directory, long trainTokens)
    {
        var factory = settings.Backend ?? (Streams(settings, trainTokens) ? SortedRunCountingBackend.ForPairs : FasterCountingBackend.Create);
        // The index is sized for the distinct keys expected, within 2^34.
        return factory(new CountingTarget(modelName, directory, ExpectedKeys(settings, trainTokens), settings.MemoryBytes));
    }

    /// <summary>The whole training split, or one shard of it, counted with <paramref name="settings"/>.</summary>
    internal static CountJob Job(TokenizedCorpus corpus, string modelName, PairModelSettings settings, ShardSpec? shard = null) =>
        new(modelName, Fingerprint(corpus, settings), "--distances", corpus.SplitInfo(Splits.Train).Tokens, shard);

    /// <summary>Stage "derive": the backend's sorted counts streamed into the folder's tables file; returns its hash.</summary>
    internal ulong Derive(ICountingBackend backend, ModelFolder folder, int vocabularySize, PairModelSettings settings)
    {
        progress?.Report(new ProgressReport("derive: read counts", 0, null, "records"));
        using var counts = backend.ReadSortedPairs(progress);
        return PairTableBuilder.Write(counts, vocabularySize, settings, folder.FilePath(TablesFile), progress).Hash;
    }

    internal TokenizedCorpus OpenCorpus(string corpusName)
    {
        var corpus = TokenizedCorpus.Open(workspace, corpusName);
        PairKey.CheckVocabulary(corpus.Vocabulary.Count);
        if (corpus.SplitInfo(Splits.Train).Tokens == 0) throw new InputException($"corpus '{corpusName}' has no training tokens");
        return corpus;
    }

    internal PairBuildResult Finish(TokenizedCorpus corpus, ModelFolder folder, string modelName, PairModelSettings settings, ulong hash,
        long trainTokens, int merges, Dictionary<string, double> stages, Stopwatch clock, long resumedFrom, ICountingBackend backend,
        bool keepsStore = true)
    {
        var stage = Stopwatch.StartNew();
        using var tables = PairTables.Open(folder.FilePath(TablesFile), hash, settings.MemoryBytes / 2);
        var probabilities = new PairProbabilities(tables);
        var valid = corpus.ReadTokens(Splits.Valid);
        var validDocs = corpus.ReadDocuments(Splits.Valid);
        var fit = LambdaFitter.Fit(probabilities, valid, validDocs, progress: progress);
        stages["fit"] = stage.Elapsed.TotalSeconds;
        stage.Restart();
        var model = new PairDistanceModel(modelName, corpus.Vocabulary, probabilities, fit.Lambdas,
            new ModelFootprint(tables.EntryCount, 0, tables.EntryCount));
        progress?.Report(new ProgressReport("evaluate", 0, null, "tokens"));
        var validPerplexity = DocumentPerplexity.Compute(model, valid, validDocs);
        var testPerplexity = DocumentPerplexity.Compute(model, corpus.ReadTokens(Splits.Test), corpus.ReadDocuments(Splits.Test));
        stages["evaluate"] = stage.Elapsed.TotalSeconds;

        string runs = folder.FilePath(SortedRunCountingBackend.WorkFolder);
        var perDistance = new long[settings.Distances];
        for (long r = 0; r < tables.RowTotal.Length; r++) perDistance[r % settings.Distances] += tables.RowStart[r + 1] - tables.RowStart[r];
        var manifest = new PairModelManifest
        {
            Name = modelName, Corpus = corpus.Name, CorpusFingerprint = corpus.Fingerprint(),
                CorpusQuickFingerprint = corpus.QuickFingerprint(), VocabularySize = corpus.Vocabulary.Count,
            Distances = settings.Distances, TopK = settings.TopK, MemoryBytes = settings.MemoryBytes, Tool = ToolInfo.Description,
            CreatedUtc = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            BuildSeconds = Math.Round(clock.Elapsed.TotalSeconds, 3), StageSeconds = stages.ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value, 3)),
            TrainTokens = trainTokens, Merges = merges, DistinctPairs = tables.EntryCount, DistinctPairsPerDistance = perDistance,
            Discounts = probabilities.Discounts, UnigramDiscount = probabilities.UnigramDiscount,
            LambdaBucketToGroup = fit.Lambdas.BucketToGroup, Lambdas = fit.Lambdas.Weights, EmIterations = fit.Iterations,
                EmPositions = fit.Positions,
            ValidPerplexity = Finite(validPerplexity.Perplexity), TestPerplexity = Finite(testPerplexity.Perplexity),
                TestPerplexityExclOov = Finite(testPerplexity.PerplexityExclOov),
            TablesFile = TablesFile, TablesXxHash64 = hash.ToString("x16", CultureInfo.InvariantCulture),
            StoreBytes = ModelFolder.BytesIn(folder.FilePath(FasterCountingBackend.StoreFolder)),
            BytesOnDisk = folder.BytesOnDisk() - ModelFolder.BytesIn(runs) - (keepsStore ? 0 : ModelFolder.BytesIn(folder.FilePath(
                FasterCountingBackend.StoreFolder))), Store = backend.Location,
        };
        AtomicFile.WriteAllText(folder.ManifestPath, manifest.ToJson());
        backend.Publish(modelName, manifest.ToJson()); // where other machines share the counts, they can attach the model now
        if (Directory.Exists(runs)) Directory.Delete(runs, recursive: true); // the model is complete: nothing left to resume
        return new PairBuildResult(folder.Path, manifest, AlreadyComplete: false, resumedFrom);
    }

    /// <summary>
    /// The same model built in memory from given training tokens (no folder, no store files): count, derive, fit on the
    /// validation tokens. Learning curves rebuild the model this way on prefixes of the training split.
    /// </summary>
    public static PairDistanceModel BuildInMemory(string name, Vocabulary vocabulary, int[] train, DocumentIndex trainDocuments,
        int[] valid, DocumentIndex validDocuments, PairModelSettings settings)
    {
        settings.Validate();
        using var backend = MemoryCountingBackend.Create(new CountingTarget(name, "", train.Length, settings.MemoryBytes));
        new PairCounter(settings, null).Count(TrainingTokens.InMemory(train), trainDocuments, 0, (ICountSink)backend);
        using var counts = backend.ReadSortedPairs(null);
        var tables = PairTableBuilder.Derive(counts, vocabulary.Count, settings);
        var probabilities = new PairProbabilities(tables);
        var fit = LambdaFitter.Fit(probabilities, valid, validDocuments);
        return new PairDistanceModel(name, vocabulary, probabilities, fit.Lambdas, new ModelFootprint(tables.EntryCount, 0, tables.EntryCount));
    }

    private static double? Finite(double value) => double.IsFinite(value) ? Math.Round(value, 6) : null;

    internal static string Fingerprint(TokenizedCorpus corpus, PairModelSettings settings) =>
        $"{corpus.Fingerprint()}/N={settings.Distances}";
}
