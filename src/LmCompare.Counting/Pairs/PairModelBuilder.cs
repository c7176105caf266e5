using LmCompare.Corpus.Models;
using System.Diagnostics;
using System.Globalization;
using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Counting.Backends;
using LmCompare.Counting.Backends.Faster;
using LmCompare.Counting.Backends.Memory;

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

        var train = corpus.ReadTokens(Splits.Train);
        var job = Job(corpus, modelName, settings);
        using var backend = OpenBackend(settings, modelName, folder.Path, train.Length);
        if (existing != ExistingModel.Resume) folder.Clear();
        long resumedFrom = backend.Begin(job, existing);
        var stages = new Dictionary<string, double>();
        var stage = Stopwatch.StartNew();
        var counter = new PairCounter(settings, progress);
        var documents = corpus.ReadDocuments(Splits.Train);
        backend.Count(job, resumedFrom, (sink, from) => counter.Count(train, documents, from, sink), progress);
        stages["count"] = stage.Elapsed.TotalSeconds;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true); // the aggregation table is gone: give its memory back
        stage.Restart();
        var tables = Derive(backend, corpus.Vocabulary.Count, settings);
        stages["derive"] = stage.Elapsed.TotalSeconds;
        return Finish(corpus, folder, modelName, settings, tables, train.LongLength, counter.Merges, stages, clock, resumedFrom, backend);
    }

    /// <summary>The backend <paramref name="settings"/> name (the embedded FASTER store by default) for a model folder.</summary>
    internal static ICountingBackend OpenBackend(PairModelSettings settings, string modelName, string directory, long trainTokens)
    {
        var factory = settings.Backend ?? FasterCountingBackend.Create;
        // About half the (token, distance) slots are distinct keys on real text; the index is sized for that, within 2^34.
        return factory(new CountingTarget(modelName, directory, Math.Min(trainTokens * settings.Distances, 1L << 34) / 2, settings.MemoryBytes));
    }

    /// <summary>The whole training split, or one shard of it, counted with <paramref name="settings"/>.</summary>
    internal static CountJob Job(TokenizedCorpus corpus, string modelName, PairModelSettings settings, ShardSpec? shard = null) =>
        new(modelName, Fingerprint(corpus, settings), "--distances", corpus.SplitInfo(Splits.Train).Tokens, shard);

    /// <summary>Stage "derive": the backend's sorted counts into the scoring tables.</summary>
    internal PairTables Derive(ICountingBackend backend, int vocabularySize, PairModelSettings settings)
    {
        progress?.Report(new ProgressReport("derive: scan", 0, null, "records"));
        var counts = backend.ReadSorted(progress);
        progress?.Report(new ProgressReport("derive: tables", 0, counts.Keys.Length, "pairs"));
        return PairTableBuilder.Derive(counts.Keys, counts.Counts, vocabularySize, settings);
    }

    internal TokenizedCorpus OpenCorpus(string corpusName)
    {
        var corpus = TokenizedCorpus.Open(workspace, corpusName);
        PairKey.CheckVocabulary(corpus.Vocabulary.Count);
        if (corpus.SplitInfo(Splits.Train).Tokens == 0) throw new InputException($"corpus '{corpusName}' has no training tokens");
        return corpus;
    }

    internal PairBuildResult Finish(TokenizedCorpus corpus, ModelFolder folder, string modelName, PairModelSettings settings, PairTables tables,
        long trainTokens, int merges, Dictionary<string, double> stages, Stopwatch clock, long resumedFrom, ICountingBackend backend)
    {
        var stage = Stopwatch.StartNew();
        ulong hash = tables.Save(folder.FilePath(TablesFile));
        var probabilities = new PairProbabilities(tables);
        var valid = corpus.ReadTokens(Splits.Valid);
        var validDocs = corpus.ReadDocuments(Splits.Valid);
        var fit = LambdaFitter.Fit(probabilities, valid, validDocs, progress: progress);
        stages["fit"] = stage.Elapsed.TotalSeconds;
        stage.Restart();
        var model = new PairDistanceModel(modelName, corpus.Vocabulary, probabilities, fit.Lambdas,
            new ModelFootprint(tables.Entries, 0, tables.Entries));
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
            LambdaBucketToGroup = fit.Lambdas.BucketToGroup, Lambdas = fit.Lambdas.Weights, EmIterations = fit.Iterations,
                EmPositions = fit.Positions,
            ValidPerplexity = Finite(validPerplexity.Perplexity), TestPerplexity = Finite(testPerplexity.Perplexity),
                TestPerplexityExclOov = Finite(testPerplexity.PerplexityExclOov),
            TablesFile = TablesFile, TablesXxHash64 = hash.ToString("x16", CultureInfo.InvariantCulture),
            StoreBytes = ModelFolder.BytesIn(folder.FilePath(FasterCountingBackend.StoreFolder)), BytesOnDisk = folder.BytesOnDisk(),
            Store = backend.Location,
        };
        AtomicFile.WriteAllText(folder.ManifestPath, manifest.ToJson());
        backend.Publish(modelName, manifest.ToJson()); // where other machines share the counts, they can attach the model now
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
        new PairCounter(settings, null).Count(train, trainDocuments, 0, (ICountSink)backend);
        var counts = backend.ReadSorted(null);
        var tables = PairTableBuilder.Derive(counts.Keys, counts.Counts, vocabulary.Count, settings);
        var probabilities = new PairProbabilities(tables);
        var fit = LambdaFitter.Fit(probabilities, valid, validDocuments);
        return new PairDistanceModel(name, vocabulary, probabilities, fit.Lambdas, new ModelFootprint(tables.Entries, 0, tables.Entries));
    }

    private static double? Finite(double value) => double.IsFinite(value) ? Math.Round(value, 6) : null;

    internal static string Fingerprint(TokenizedCorpus corpus, PairModelSettings settings) =>
        $"{corpus.Fingerprint()}/N={settings.Distances}";
}
