using System.Globalization;
using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Models;
using LmCompare.Counting.Backends;
using LmCompare.Counting.Backends.Faster;
using LmCompare.Counting.Stores;

namespace LmCompare.Counting.Pairs;

/// <summary>Opens a built pair-distance model: manifest, its corpus's vocabulary (checked), and the verified tables.</summary>
public static class PairModelLoader
{
    public static (PairModelManifest Manifest, string Directory) ReadManifest(Workspace workspace, string name)
    {
        string directory = ModelManifestFile.Locate(workspace, name);
        return (PairModelManifest.Load(Path.Combine(directory, ModelManifestFile.FileName)), directory);
    }

    /// <param name="remote">Opens the backend of a model whose counts live elsewhere (an attached cluster model, which has
    /// no tables file: it derives them from the counts and checks them against the manifest's hash).</param>
    public static PairDistanceModel Load(Workspace workspace, string name, CountLocationResolver? remote = null)
    {
        var (manifest, directory) = ReadManifest(workspace, name);
        var corpus = manifest.OpenCorpus(workspace, "(it was re-ingested); rebuild the model");
        ulong hash = ulong.Parse(manifest.TablesXxHash64, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var tables = manifest.TablesFile.Length == 0
            ? RemoteTables(manifest, remote)
            : PairTables.Load(Path.Combine(directory, manifest.TablesFile), hash);
        var lambdas = new PairLambdas(manifest.LambdaBucketToGroup, manifest.Lambdas);
        return new PairDistanceModel(name, corpus.Vocabulary, new PairProbabilities(tables), lambdas,
            new ModelFootprint(manifest.DistinctPairs, manifest.BytesOnDisk, manifest.DistinctPairs));
    }

    /// <summary>An attached model's tables, derived from the counts where they live and checked against the manifest's hash.</summary>
    private static PairTables RemoteTables(PairModelManifest manifest, CountLocationResolver? remote)
    {
        using var backend = SharedCounts(manifest, remote);
        var counts = backend.ReadSorted(null);
        var tables = PairTableBuilder.Derive(counts.Keys, counts.Counts, manifest.VocabularySize,
            new PairModelSettings(manifest.Distances, manifest.TopK));
        if (tables.Hash().ToString("x16", CultureInfo.InvariantCulture) != manifest.TablesXxHash64)
            throw new InputException($"model {manifest.Name}: the counts in the cluster at {manifest.Store} no longer give the tables it was " +
                $"finalized with (changed or partly lost)");
        return tables;
    }

    /// <summary>The backend holding the counts of a model that has no tables file (attached), or one line saying there is none.</summary>
    internal static ICountingBackend SharedCounts(PairModelManifest manifest, CountLocationResolver? remote) =>
        remote?.Invoke(manifest.Store, manifest.Name)
        ?? throw new InputException($"model {manifest.Name} has no tables file and no cluster to read them from (store: {manifest.Store})");

    /// <summary>
    /// Every count of a model, sorted: from where its manifest says they live, else (also for an unfinished build, which
    /// has no manifest yet) from the FASTER store in its folder. For <c>lmc pairs dump</c>.
    /// </summary>
    public static SortedCounts ReadCounts(Workspace workspace, string name, CountLocationResolver? remote = null)
    {
        string directory = Path.Combine(workspace.ModelsDirectory, name);
        if (!Directory.Exists(directory)) throw new InputException($"model '{name}' not found in {workspace.ModelsDirectory}");
        string manifestPath = Path.Combine(directory, ModelManifestFile.FileName);
        if (File.Exists(manifestPath) && remote?.Invoke(PairModelManifest.Load(manifestPath).Store, name) is { } backend)
            using (backend) return backend.ReadSorted(null);
        using ICountStore store = FasterCountingBackend.OpenForReading(directory);
        return SortedCounts.Read(store);
    }
}
