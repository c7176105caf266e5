using System.Globalization;
using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Models;
using LmCompare.Counting.Backends;
using LmCompare.Counting.Backends.Faster;
using LmCompare.Counting.Backends.SortedRuns;
using LmCompare.Counting.NGrams.Streaming;
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
    /// <param name="cacheBytes">Null (the default): the tables file mapped and read in place (<see cref="MappedPairEntries"/>;
    /// its checksum runs in the background: <see cref="PairDistanceModel.EnsureIntact"/>). A size: the file checked whole
    /// first, then its entries held in memory when they fit, else the busiest rows (the rest read as they are needed).</param>
    /// <param name="vocabulary">The corpus's vocabulary when the caller has it open (then only the corpus manifest is checked).</param>
    public static PairDistanceModel Load(Workspace workspace, string name, CountLocationResolver? remote = null, long? cacheBytes = null,
        Vocabulary? vocabulary = null)
    {
        var (manifest, directory) = ReadManifest(workspace, name);
        vocabulary = manifest.Vocabulary(workspace, vocabulary, "(it was re-ingested); rebuild the model");
        ulong hash = ulong.Parse(manifest.TablesXxHash64, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var tables = manifest.TablesFile.Length == 0
            ? RemoteTables(manifest, remote)
            : cacheBytes is { } cache ? PairTables.Open(Path.Combine(directory, manifest.TablesFile), hash, cache)
            : PairTableFile.OpenMapped(Path.Combine(directory, manifest.TablesFile), hash);
        var lambdas = new PairLambdas(manifest.LambdaBucketToGroup, manifest.Lambdas);
        return new PairDistanceModel(name, vocabulary, new PairProbabilities(tables), lambdas,
            new ModelFootprint(manifest.DistinctPairs, manifest.BytesOnDisk, manifest.DistinctPairs));
    }

    /// <summary>An attached model's tables, derived from the counts where they live and checked against the manifest's hash.</summary>
    private static PairTables RemoteTables(PairModelManifest manifest, CountLocationResolver? remote)
    {
        using var backend = SharedCounts(manifest, remote);
        using var counts = backend.ReadSortedPairs(null);
        var tables = PairTableBuilder.Derive(counts, manifest.VocabularySize, new PairModelSettings(manifest.Distances, manifest.TopK));
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
    /// Every count of a model, sorted by key, as a record stream (<see cref="PairCountRecords"/>): a complete model's from
    /// its verified tables file (or the cluster its manifest names), an unfinished build's from the FASTER store in its
    /// folder (an unfinished streaming build's runs are not merged here: resume it). For <c>lmc pairs dump</c>.
    /// </summary>
    public static IRecordSource ReadCounts(Workspace workspace, string name, CountLocationResolver? remote = null)
    {
        string directory = Path.Combine(workspace.ModelsDirectory, name);
        if (!Directory.Exists(directory)) throw new InputException($"model '{name}' not found in {workspace.ModelsDirectory}");
        string manifestPath = Path.Combine(directory, ModelManifestFile.FileName);
        if (File.Exists(manifestPath))
        {
            var manifest = PairModelManifest.Load(manifestPath);
            if (manifest.TablesFile.Length > 0)
            {
                ulong hash = ulong.Parse(manifest.TablesXxHash64, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                return new TableRecords(PairTables.Open(Path.Combine(directory, manifest.TablesFile), hash, cacheBytes: 0));
            }
            using var backend = SharedCounts(manifest, remote);
            var shared = backend.ReadSorted(null);
            return PairCountRecords.FromArrays(shared.Keys, shared.Counts);
        }
        if (Directory.Exists(Path.Combine(directory, SortedRunCountingBackend.WorkFolder)))
            throw new InputException($"model '{name}' is an unfinished streaming build (its counts are sorted runs); finish it with lmc pairs " +
                "build --resume");
        using ICountStore store = FasterCountingBackend.OpenForReading(directory);
        var counts = SortedCounts.Read(store);
        return PairCountRecords.FromArrays(counts.Keys, counts.Counts);
    }

    /// <summary>The entries of tables read back as sorted count records, row by row (a row's key order is the tables' order).</summary>
    private sealed class TableRecords(PairTables tables) : IRecordSource
    {
        private readonly int[] _current = new int[PairCountRecords.Stride];
        private int[] _row = [];
        private long _r = -1;
        private int _at, _length;

        public int Stride => PairCountRecords.Stride;
        public ReadOnlySpan<int> Current => _current;

        public bool MoveNext()
        {
            while (_at >= _length)
            {
                if (++_r >= tables.Rows) return false;
                var (start, length) = tables.Span(_r);
                if (length == 0) continue;
                using var row = tables.Entries.Row(_r, start, length);
                _row = row.Entries.ToArray();
                (_at, _length) = (0, _row.Length);
            }
            int u = (int)(_r / tables.Distances), d = (int)(_r % tables.Distances) + 1;
            PairCountRecords.Set(_current, PairKey.Pack(u, _row[_at], d), _row[_at + 1]);
            _at += PairEntries.Stride;
            return true;
        }

        public void Dispose() => tables.Dispose();
    }
}
