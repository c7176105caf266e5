using LmCompare.Corpus.Models;
using System.Diagnostics;
using System.Globalization;
using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Counting.Stores;

namespace LmCompare.Counting.Pairs;

/// <summary>What <c>lmc pairs build</c> produced.</summary>
public sealed record PairBuildResult(string Directory, PairModelManifest Manifest, bool AlreadyComplete, long ResumedFromToken);

/// <summary>
/// <c>lmc pairs build</c> as a staged pipeline: <b>count</b> (c_d(u,v) into the FASTER store, checkpointed),
/// <b>derive</b> (scan the store into the scoring tables), <b>fit</b> (EM for the lambdas on the validation split),
/// <b>evaluate</b> (document-scoped validation and test perplexity), <b>commit</b> (manifest last).
/// </summary>
public sealed class PairModelBuilder(Workspace workspace, IProgress<ProgressReport>? progress = null)
{
    public const string TablesFile = "pairs.tables";
    public const string StoreFolder = "store";

    public PairBuildResult Build(string corpusName, string modelName, PairModelSettings settings, ExistingModel existing)
    {
        var clock = Stopwatch.StartNew();
        settings.Validate();
        var corpus = TokenizedCorpus.Open(workspace, corpusName);
        PairKey.CheckVocabulary(corpus.Vocabulary.Count);
        if (corpus.SplitInfo(Splits.Train).Tokens == 0) throw new InputException($"corpus '{corpusName}' has no training tokens");
        using var folder = ModelFolder.Claim(workspace.ModelsDirectory, modelName, existing);
        if (folder.IsComplete && existing == ExistingModel.Resume)
            return new PairBuildResult(folder.Path, PairModelManifest.Load(folder.ManifestPath), AlreadyComplete: true, 0);

        string fingerprint = Fingerprint(corpus, settings);
        var stages = new Dictionary<string, double>();
        var train = corpus.ReadTokens(Splits.Train);
        var (store, resumedFrom) = OpenStore(folder, settings, fingerprint, train.Length, existing);
        int merges;
        PairTables tables;
        using (store)
        {
            var stage = Stopwatch.StartNew();
            var counter = new PairCounter(store, settings.Store is null ? settings : settings with { CheckpointSeconds = int.MaxValue }, progress);
            var documents = corpus.ReadDocuments(Splits.Train);
            if (store is GarnetCountStore garnet)
                VerifiedClusterCount.Run(garnet, resumedFrom, 0, begin => counter.Count(train, documents, begin, fingerprint), progress);
            else if (resumedFrom < train.Length) counter.Count(train, documents, resumedFrom, fingerprint);
            merges = counter.Merges;
            stages["count"] = stage.Elapsed.TotalSeconds;
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true); // the aggregation table is gone: give its memory back
            stage.Restart();
            if (store is GarnetCountStore cluster)
            {
                cluster.Fold(progress);
                stages["fold"] = stage.Elapsed.TotalSeconds;
                stage.Restart();
            }
            tables = PairTableBuilder.Build(store, corpus.Vocabulary.Count, settings, progress);
            stages["derive"] = stage.Elapsed.TotalSeconds;
        }
        return Finish(corpus, folder, modelName, settings, tables, train.LongLength, merges, stages, clock, resumedFrom);
    }

    internal PairBuildResult Finish(TokenizedCorpus corpus, ModelFolder folder, string modelName, PairModelSettings settings, PairTables tables,
        long trainTokens, int merges, Dictionary<string, double> stages, Stopwatch clock, long resumedFrom)
    {
        var stage = Stopwatch.StartNew();
        ulong hash = tables.Save(folder.FilePath(TablesFile));
        var probabilities = new PairProbabilities(tables);
        var valid = corpus.ReadTokens(Splits.Valid);
        var validDocs = corpus.ReadDocuments(Splits.Valid);
        var fit = LambdaFitter.Fit(probabilities, valid, validDocs, progress: progress);
        stages["fit"] = stage.Elapsed.TotalSeconds;
        stage.Restart();
        var model = new PairDistanceModel(modelName, corpus.Vocabulary, probabilities, fit.Lambdas, new ModelFootprint(tables.Entries, 0, tables.Entries));
        progress?.Report(new ProgressReport("evaluate", 0, null, "tokens"));
        var validPerplexity = DocumentPerplexity.Compute(model, valid, validDocs);
        var testPerplexity = DocumentPerplexity.Compute(model, corpus.ReadTokens(Splits.Test), corpus.ReadDocuments(Splits.Test));
        stages["evaluate"] = stage.Elapsed.TotalSeconds;

        var perDistance = new long[settings.Distances];
        for (long r = 0; r < tables.RowTotal.LongLength; r++) perDistance[r % settings.Distances] += tables.RowStart[r + 1] - tables.RowStart[r];
        var manifest = new PairModelManifest
        {
            Name = modelName, Corpus = corpus.Name, CorpusFingerprint = corpus.Fingerprint(), VocabularySize = corpus.Vocabulary.Count,
            Distances = settings.Distances, TopK = settings.TopK, MemoryBytes = settings.MemoryBytes, Tool = ToolInfo.Description,
            CreatedUtc = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            BuildSeconds = Math.Round(clock.Elapsed.TotalSeconds, 3), StageSeconds = stages.ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value, 3)),
            TrainTokens = trainTokens, Merges = merges, DistinctPairs = tables.Entries, DistinctPairsPerDistance = perDistance,
            Discounts = probabilities.Discounts, UnigramDiscount = probabilities.UnigramDiscount,
            LambdaBucketToGroup = fit.Lambdas.BucketToGroup, Lambdas = fit.Lambdas.Weights, EmIterations = fit.Iterations, EmPositions = fit.Positions,
            ValidPerplexity = Finite(validPerplexity.Perplexity), TestPerplexity = Finite(testPerplexity.Perplexity), TestPerplexityExclOov = Finite(testPerplexity.PerplexityExclOov),
            TablesFile = TablesFile, TablesXxHash64 = hash.ToString("x16", CultureInfo.InvariantCulture),
            StoreBytes = ModelFolder.BytesIn(folder.FilePath(StoreFolder)), BytesOnDisk = folder.BytesOnDisk(),
            Store = settings.Store is { } garnet ? $"garnet://{garnet.Endpoints}" : "faster",
        };
        AtomicFile.WriteAllText(folder.ManifestPath, manifest.ToJson());
        if (settings.Store is { } cluster) ClusterPairModel.Publish(cluster, manifest); // now other machines can attach it
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
        var store = new MemoryCountStore();
        new PairCounter(store, settings with { CheckpointSeconds = int.MaxValue }, null).Count(train, trainDocuments, 0, "memory");
        var tables = PairTableBuilder.Build(store, vocabulary.Count, settings, null);
        var probabilities = new PairProbabilities(tables);
        var fit = LambdaFitter.Fit(probabilities, valid, validDocuments);
        return new PairDistanceModel(name, vocabulary, probabilities, fit.Lambdas, new ModelFootprint(tables.Entries, 0, tables.Entries));
    }

    /// <summary>A new store, or with --resume the checkpointed one and the position its counts reach.</summary>
    private static (ICountStore Store, long ResumeFrom) OpenStore(ModelFolder folder, PairModelSettings settings, string fingerprint, long trainTokens, ExistingModel existing)
    {
        if (settings.Store is { } garnet) return OpenGarnet(folder, garnet, fingerprint, existing);
        var storeSettings = new FasterStoreSettings
        {
            Directory = folder.FilePath(StoreFolder),
            IndexBuckets = FasterStoreSettings.BucketsFor(Math.Min(trainTokens * settings.Distances, 1L << 34) / 2),
            LogMemoryBytes = Math.Max(16L << 20, settings.MemoryBytes / 4),
        };
        bool hasCheckpoint = StoreCheckpoints.HasComplete(storeSettings.Directory);
        if (existing != ExistingModel.Resume || !hasCheckpoint)
        {
            folder.Clear();
            return (FasterCountStore.Create(storeSettings), 0);
        }
        var store = FasterCountStore.Open(storeSettings);
        var progress = CountProgress.FromBytes(store.RecoveredCookie);
        if (progress is null || progress.Fingerprint != fingerprint)
        {
            store.Dispose();
            throw new UsageException($"{folder.Path}: the unfinished build used another corpus or other settings (--distances); use --force to start over");
        }
        return (store, progress.TokensDone);
    }

    /// <summary>
    /// The cluster's key space of this model, emptied for a new build (refused when it holds counts and --force was
    /// not given).
    /// </summary>
    private static (ICountStore Store, long ResumeFrom) OpenGarnet(ModelFolder folder, GarnetStoreSettings settings, string fingerprint, ExistingModel existing)
    {
        var store = GarnetCountStore.Connect(settings);
        try
        {
            // Resume from the last merge's cookie: merges end where the aggregation table fills (never by the clock for a
            // cluster build), so the re-counted merges carry the same batch ids and a half-applied one is not counted twice.
            if (existing == ExistingModel.Resume && CountProgress.FromBytes(store.RecoveredCookie) is { } progress)
            {
                if (progress.Fingerprint != fingerprint)
                    throw new InputException($"model {settings.Model} in the cluster was counted from another corpus or with other settings (--distances); use --force to start over");
                return (store, progress.TokensDone);
            }
            if (existing == ExistingModel.Refuse && store.RecordsUpperBound > 0) // --resume with no cookie yet: nothing merged, start over
                throw new InputException($"model {settings.Model} already has counts in the cluster at {settings.Endpoints}; --force replaces them, --resume continues");
            folder.Clear();
            store.Drop();
            return (store, 0);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    private static double? Finite(double value) => double.IsFinite(value) ? Math.Round(value, 6) : null;

    internal static string Fingerprint(TokenizedCorpus corpus, PairModelSettings settings) =>
        $"{corpus.Fingerprint()}/N={settings.Distances}";
}
