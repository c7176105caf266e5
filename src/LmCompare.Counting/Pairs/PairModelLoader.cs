using LmCompare.Corpus.Models;
using System.Globalization;
using LmCompare.Core;
using LmCompare.Corpus;

namespace LmCompare.Counting.Pairs;

/// <summary>Opens a built pair-distance model: manifest, its corpus's vocabulary (checked), and the verified tables.</summary>
public static class PairModelLoader
{
    public static (PairModelManifest Manifest, string Directory) ReadManifest(Workspace workspace, string name)
    {
        string directory = ModelManifestFile.Locate(workspace, name);
        return (PairModelManifest.Load(Path.Combine(directory, "manifest.json")), directory);
    }

    public static PairDistanceModel Load(Workspace workspace, string name)
    {
        var (manifest, directory) = ReadManifest(workspace, name);
        var corpus = manifest.OpenCorpus(workspace, "(it was re-ingested); rebuild the model");
        ulong hash = ulong.Parse(manifest.TablesXxHash64, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var tables = manifest.TablesFile.Length == 0
            ? ClusterPairModel.LoadTables(manifest) // an attached model scores from the cluster's counts
            : PairTables.Load(Path.Combine(directory, manifest.TablesFile), hash);
        var lambdas = new PairLambdas(manifest.LambdaBucketToGroup, manifest.Lambdas);
        return new PairDistanceModel(name, corpus.Vocabulary, new PairProbabilities(tables), lambdas,
            new ModelFootprint(manifest.DistinctPairs, manifest.BytesOnDisk, manifest.DistinctPairs));
    }
}
