using System.Globalization;
using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Models;
using LmCompare.Counting.Backends;
using LmCompare.Counting.Backends.Faster;
using LmCompare.Counting.Stores;

namespace LmCompare.Counting.Pairs;

/// <summary>
/// A pair-distance model whose counts live in a backend that many machines share (a cluster). Finalizing
/// <b>publishes</b> its manifest beside the counts (<see cref="ICountingBackend.Publish"/>); <b>attach</b> makes a local
/// model folder that holds only that manifest (any machine with the same ingested corpus), and such a model scores from
/// the shared counts: loading (<see cref="PairModelLoader"/>) reads every count and derives the tables in memory,
/// checked against the published tables hash. <b>pull</b> copies the counts into the folder's own FASTER store and
/// writes the compiled tables, so later loads need nothing shared and take well under a second.
/// </summary>
public static class SharedPairModel
{
    /// <summary>A local folder for the published model <paramref name="modelName"/> in the backend <paramref name="shared"/> makes.</summary>
    public static PairModelManifest Attach(Workspace workspace, string modelName, CountingBackendFactory shared, ExistingModel existing)
    {
        PairModelManifest published;
        string location;
        using (var backend = shared(new CountingTarget(modelName, Path.Combine(workspace.ModelsDirectory, modelName), 0, 0)))
        {
            location = backend.Location;
            var json = backend.ReadPublished(modelName)
                ?? throw new InputException($"no finalized pair model {modelName} at {location} (finalize it first)");
            published = PairModelManifest.FromJson(json);
        }
        published.OpenCorpus(workspace, "than the one ingested here; ingest the same text with the same settings");
        var claim = existing == ExistingModel.Resume ? ExistingModel.Replace : existing;
        using var folder = ModelFolder.Claim(workspace.ModelsDirectory, modelName, claim); // --force: cleared
        var attached = published with { TablesFile = "", Store = location, StoreBytes = 0, BytesOnDisk = 0 };
        AtomicFile.WriteAllText(folder.ManifestPath, attached.ToJson());
        return attached;
    }

    /// <summary>
    /// Makes an attached model local: the counts into the folder's FASTER store (<c>store/</c>, as an embedded build
    /// leaves them), the compiled tables into <c>pairs.tables</c>, then the manifest (last). Returns the new manifest.
    /// </summary>
    public static PairModelManifest Pull(Workspace workspace, string modelName, CountLocationResolver locations,
        IProgress<ProgressReport>? progress = null)
    {
        var (manifest, _) = PairModelLoader.ReadManifest(workspace, modelName);
        if (manifest.TablesFile.Length > 0) throw new UsageException($"model {modelName} is already local ({manifest.Store}); nothing to pull");
        using var shared = PairModelLoader.SharedCounts(manifest, locations);
        using var folder = ModelFolder.Claim(workspace.ModelsDirectory, modelName, ExistingModel.Resume);
        string storeDirectory = folder.FilePath(FasterCountingBackend.StoreFolder);
        if (Directory.Exists(storeDirectory)) Directory.Delete(storeDirectory, recursive: true); // a pull cut short starts over
        var storeSettings = new FasterStoreSettings { Directory = storeDirectory,
            IndexBuckets = FasterStoreSettings.BucketsFor(manifest.DistinctPairs) };
        // One read of the shared counts serves both: the sorted counts go into the local store and the tables derive from them.
        progress?.Report(new ProgressReport("pull", 0, manifest.DistinctPairs, "counts"));
        var (keys, counts) = shared.ReadSorted(progress);
        using (var local = FasterCountStore.Create(storeSettings))
        {
            local.AddBatch(keys, counts);
            local.Checkpoint(new CountProgress(manifest.TrainTokens, "pulled from " + manifest.Store).ToBytes());
        }
        progress?.Report(new ProgressReport("derive: tables", 0, keys.Length, "pairs"));
        string hash = PairTableBuilder.Write(PairCountRecords.FromArrays(keys, counts), manifest.VocabularySize,
            new PairModelSettings(manifest.Distances, manifest.TopK), folder.FilePath(PairModelBuilder.TablesFile), progress).Hash
            .ToString("x16", CultureInfo.InvariantCulture);
        if (hash != manifest.TablesXxHash64)
            throw new InputException($"model {modelName}: the counts pulled from {manifest.Store} do not give the tables it was finalized with " +
                $"(changed or partly lost)");
        var pulled = manifest with
        {
            TablesFile = PairModelBuilder.TablesFile, Store = "faster", PulledFrom = manifest.Store,
            StoreBytes = ModelFolder.BytesIn(storeDirectory), BytesOnDisk = folder.BytesOnDisk(),
        };
        AtomicFile.WriteAllText(folder.ManifestPath, pulled.ToJson());
        return pulled;
    }
}
