using LmCompare.Corpus.Models;
using System.Globalization;
using System.Text;
using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Counting.Backends.Faster;
using LmCompare.Counting.Pairs;
using LmCompare.Counting.Stores;

namespace LmCompare.Counting.Backends.Garnet;

/// <summary>
/// A pair-distance model whose counts live in a Garnet cluster. Finalizing <b>publishes</b> its manifest beside the
/// counts; <b>attach</b> makes a local model folder that holds only that manifest (any machine with the same ingested
/// corpus), and such a model scores from the cluster: loading (<see cref="PairModelLoader"/>, through
/// <see cref="GarnetCountingBackend.ForLocation"/>) reads every count with pipelined whole-hash reads and derives the
/// tables in memory, checked against the published tables hash. <b>pull</b> copies the counts into the
/// folder's own FASTER store and writes the compiled tables, so later loads need no cluster and take well under a second.
/// </summary>
public static class ClusterPairModel
{
    private const string ManifestMeta = GarnetCountingBackend.ManifestMeta;

    /// <summary>A local folder for cluster model <paramref name="modelName"/>: its manifest, tables to be read from the cluster.</summary>
    public static PairModelManifest Attach(Workspace workspace, string modelName, GarnetStoreSettings garnet, ExistingModel existing)
    {
        PairModelManifest published;
        using (var store = GarnetCountStore.Connect(garnet with { Model = modelName }))
        {
            var bytes = store.GetMeta(ManifestMeta)
                ?? throw new InputException($"no finalized pair model {modelName} in the cluster at {garnet.Endpoints} (finalize it first)");
            published = PairModelManifest.FromJson(Encoding.UTF8.GetString(bytes));
        }
        published.OpenCorpus(workspace, "than the one ingested here; ingest the same text with the same settings");
        using var folder = ModelFolder.Claim(workspace.ModelsDirectory, modelName,
            existing == ExistingModel.Resume ? ExistingModel.Replace : existing);
        folder.Clear();
        var attached = published with { TablesFile = "", Store = garnet.Location, StoreBytes = 0, BytesOnDisk = 0 };
        AtomicFile.WriteAllText(folder.ManifestPath, attached.ToJson());
        return attached;
    }

    /// <summary>
    /// Makes an attached model local: the counts into the folder's FASTER store (<c>store/</c>, as an embedded build
    /// leaves them), the compiled tables into <c>pairs.tables</c>, then the manifest (last). Returns the new manifest.
    /// </summary>
    public static PairModelManifest Pull(Workspace workspace, string modelName, IProgress<ProgressReport>? progress = null)
    {
        var (manifest, _) = PairModelLoader.ReadManifest(workspace, modelName);
        if (manifest.TablesFile.Length > 0) throw new UsageException($"model {modelName} is already local ({manifest.Store}); nothing to pull");
        var garnet = Settings(manifest);
        using var folder = ModelFolder.Claim(workspace.ModelsDirectory, modelName, ExistingModel.Resume);
        string storeDirectory = folder.FilePath(FasterCountingBackend.StoreFolder);
        if (Directory.Exists(storeDirectory)) Directory.Delete(storeDirectory, recursive: true); // a pull cut short starts over
        var storeSettings = new FasterStoreSettings { Directory = storeDirectory,
            IndexBuckets = FasterStoreSettings.BucketsFor(manifest.DistinctPairs) };
        // One read of the cluster serves both: the sorted counts go into the local store and the tables derive from them.
        progress?.Report(new ProgressReport("pull", 0, manifest.DistinctPairs, "counts"));
        long[] keys, counts;
        using (var cluster = GarnetCountStore.Connect(garnet)) (keys, counts) = SortedCounts.Read(cluster);
        using (var local = FasterCountStore.Create(storeSettings))
        {
            local.AddBatch(keys, counts);
            local.Checkpoint(new CountProgress(manifest.TrainTokens, "pulled from " + manifest.Store).ToBytes());
        }
        progress?.Report(new ProgressReport("derive: tables", 0, keys.Length, "pairs"));
        var tables = PairTableBuilder.Derive(keys, counts, manifest.VocabularySize, new PairModelSettings(manifest.Distances, manifest.TopK));
        string hash = tables.Save(folder.FilePath(PairModelBuilder.TablesFile)).ToString("x16", CultureInfo.InvariantCulture);
        if (hash != manifest.TablesXxHash64)
            throw new InputException($"model {modelName}: the counts pulled from {garnet.Endpoints} do not give the tables it was finalized with " +
                $"(changed or partly lost)");
        var pulled = manifest with
        {
            TablesFile = PairModelBuilder.TablesFile, Store = "faster", PulledFrom = manifest.Store,
            StoreBytes = ModelFolder.BytesIn(storeDirectory), BytesOnDisk = folder.BytesOnDisk(),
        };
        AtomicFile.WriteAllText(folder.ManifestPath, pulled.ToJson());
        return pulled;
    }

    /// <summary>The cluster a model's counts live in (endpoints from its manifest, the password from LMC_GARNET_PASSWORD).</summary>
    private static GarnetStoreSettings Settings(PairModelManifest manifest) => GarnetStoreSettings.At(manifest.Store, manifest.Name)
        ?? throw new InputException($"model {manifest.Name} has no tables file and no cluster to read them from (store: {manifest.Store})");
}
