using System.Globalization;
using System.Text;
using LmCompare.Core;
using LmCompare.Counting.Stores;
using LmCompare.Counting.NGrams;

namespace LmCompare.Counting.Backends.Garnet;

/// <summary>
/// Counting in a Garnet cluster that many processes share. One process counting everything (<c>--store</c>) resumes from
/// its last cookie; a shard worker (<c>--store --shard i/n</c>) claims its shard in the ledger (<see cref="ShardLedger"/>)
/// and marks it counted at the end. Either way every flush is a batch named by where it ends, so a resumed or replayed
/// flush carries the same ids and nothing counts twice, and after counting the backend checks that the cluster still
/// holds every batch it sent, replaying the range if a restarted node lost some (<see cref="VerifiedClusterCount"/>).
/// Reading folds the parts into the count hashes first (<see cref="GarnetCountStore.Fold"/>).
/// </summary>
public sealed class GarnetCountingBackend : ICountingBackend, ICountSink
{
    /// <summary>The field a finalized model's manifest is published under (<see cref="ReadPublished"/> reads it).</summary>
    private const string ManifestMeta = "manifest";

    private readonly GarnetStoreSettings _settings;
    private GarnetCountStore? _store;
    private string _fingerprint = "";
    private CountJob? _job; // sizes the tables ReadNGrams fills

    private GarnetCountingBackend(GarnetStoreSettings settings) => _settings = settings;

    /// <summary>The factory for a cluster: the CLI's <c>--store garnet://...</c> and <c>--timeout</c>. The counts go under the
    /// key space <paramref name="settings"/> names (the CLI names it after the model).</summary>
    public static CountingBackendFactory Factory(GarnetStoreSettings settings) => _ => new GarnetCountingBackend(settings);

    /// <summary>The backend holding a finished model's counts when its manifest's location is a cluster (endpoints from the
    /// manifest, the password from LMC_GARNET_PASSWORD); null for any other location.</summary>
    public static ICountingBackend? ForLocation(string location, string model) =>
        GarnetStoreSettings.At(location, model) is { } settings ? new GarnetCountingBackend(settings) : null;

    public string Location => _settings.Location;

    public bool FlushByClock => false;

    public long NGramChunkTokens => _settings.NGramChunkTokens;

    /// <summary>The fingerprint a shard is recorded with: the settings and the number of shards.</summary>
    private static string ShardFingerprint(CountJob job, int shards) => $"{job.Fingerprint}|shards={shards}";

    public long Begin(CountJob job, ExistingModel existing)
    {
        NGramClusterCounts.CheckVocabulary(job.VocabularySize);
        _job = job;
        if (job.Shard is { } shard)
        {
            if (existing == ExistingModel.Replace)
                throw new UsageException("--shard does not take --force (a shard's counts cannot be taken out of the model; rebuild the model " +
                    "under another name)");
            _fingerprint = ShardFingerprint(job, shard.Count);
            _store = GarnetCountStore.Connect(_settings with { Worker = shard.Worker });
            return ShardLedger.Begin(_store, shard, _fingerprint, existing == ExistingModel.Resume, job.Range.From);
        }
        _fingerprint = job.Fingerprint;
        _store = GarnetCountStore.Connect(_settings);
        // Resume from the last flush's cookie: flushes end where the aggregation table fills (never by the clock here), so
        // the re-counted flushes carry the same batch ids and a half-applied one is not counted twice.
        if (existing == ExistingModel.Resume && CountProgress.FromBytes(_store.RecoveredCookie) is { } progress)
        {
            if (progress.Fingerprint != job.Fingerprint)
                throw new InputException($"model {job.Model} in the cluster was counted from another corpus or with other settings " +
                    $"({job.SettingsDescription}); use --force to start over");
            return progress.TokensDone;
        }
        if (existing == ExistingModel.Refuse && _store.RecordsUpperBound > 0) // --resume with no cookie yet: nothing merged, start over
            throw new InputException($"model {job.Model} already has counts in the cluster at {_settings.Endpoints}; --force replaces them, " +
                $"--resume continues");
        _store.Drop();
        return 0;
    }

    public void Count(CountJob job, long from, Action<ICountSink, long> count, IProgress<ProgressReport>? progress) =>
        VerifiedClusterCount.Run(Store, from, job.Range.From, begin => count(this, begin), progress);

    public void Add(long tokensDone, Memory<long> keys, Memory<long> deltas)
    {
        // The batches of a flush are named by where it ends: a resumed run, whose flushes end at the same positions (they
        // depend only on the table filling up), replays a half-applied flush under the same ids.
        // Sent FlushChunk entries at a time, each chunk's garbage collected before the next: a batch's requests take ~100
        // bytes per entry, mostly in large arrays that only a full collection frees, and left to the collector they
        // doubled a worker's memory (4.0-4.4 GB at --memory 2GB; eval/RESULTS.md, "The cluster at 100M tokens"). The table
        // itself is one array of numbers, so the collection costs milliseconds. The chunks of a flush are the same on a
        // replay (the table drains in slot order), so their ids are too.
        Store.BeginBatchScope(tokensDone.ToString(CultureInfo.InvariantCulture));
        for (int at = 0; at < keys.Length; at += FlushChunk)
        {
            int n = Math.Min(FlushChunk, keys.Length - at);
            Store.AddBatch(keys.Slice(at, n), deltas.Slice(at, n));
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false);
        }
    }

    /// <summary>Entries per batch of a flush (see <see cref="Add"/>).</summary>
    internal const int FlushChunk = 1 << 18;

    public void AddNGrams(long tokensDone, NGramTable[] tables)
    {
        Store.BeginBatchScope(tokensDone.ToString(CultureInfo.InvariantCulture)); // chunks end at fixed positions: see Add
        NGramClusterCounts.Add(Store, tables);
    }

    public void Commit(long tokensDone) => Store.Checkpoint(new CountProgress(tokensDone, _fingerprint).ToBytes());

    public void Complete(CountJob job)
    {
        if (job.Shard is { } shard) Store.MarkShardDone(shard.Index, _fingerprint);
    }

    public void RequireAllShards(CountJob job)
    {
        _job = job;
        _store ??= GarnetCountStore.Connect(_settings);
        ShardLedger.CheckComplete(_store, _settings.Endpoints, n => ShardFingerprint(job, n), job.SettingsDescription);
    }

    /// <summary>Folds the parts into the count hashes, reads every count sorted, closes the connection.</summary>
    public SortedCounts ReadSorted(IProgress<ProgressReport>? progress)
    {
        _store ??= GarnetCountStore.Connect(_settings);
        _store.Fold(progress);
        var counts = SortedCounts.Read(_store);
        Dispose();
        return counts;
    }

    /// <summary>Folds the parts into the count hashes (a fold already done is one read), then reads the partition's n-grams;
    /// the connection stays open for the next partition.</summary>
    public NGramTable[] ReadNGrams(int order, LastWordPartition partition, IProgress<ProgressReport>? progress)
    {
        _store ??= GarnetCountStore.Connect(_settings);
        _store.Fold(progress);
        return NGramClusterCounts.Read(_store, order, partition, _job?.VocabularySize ?? 0, _job?.TrainTokens ?? 0, progress);
    }

    public void Publish(string model, string manifestJson)
    {
        using var store = GarnetCountStore.Connect(_settings with { Model = model });
        store.SetMeta(ManifestMeta, Encoding.UTF8.GetBytes(manifestJson));
    }

    public string? ReadPublished(string model)
    {
        using var store = GarnetCountStore.Connect(_settings with { Model = model });
        return store.GetMeta(ManifestMeta) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;
    }

    private GarnetCountStore Store => _store ?? throw new InvalidOperationException("Begin first");

    public void Dispose()
    {
        _store?.Dispose();
        _store = null;
    }
}
