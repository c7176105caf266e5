using LmCompare.Core;
using LmCompare.Counting.Stores;
using LmCompare.Counting.NGrams;

namespace LmCompare.Counting.Backends.Faster;

/// <summary>
/// The default backend: an embedded FASTER store in the model folder (<c>store/</c>). Each flush is merged by
/// read-modify-write and checkpointed together with its resume point (<see cref="CountProgress"/>), so a killed build
/// resumes from its last checkpoint and ends with exactly the counts of an uninterrupted one. Its keys are 64-bit pair
/// keys: n-gram builds count in memory or sorted runs and keep the finished model in ngrams.bin (NGramModelBuilder).
/// </summary>
public sealed class FasterCountingBackend : ICountingBackend, ICountSink
{
    public const string StoreFolder = "store";

    private readonly CountingTarget _target;
    private readonly FasterStoreSettings _settings;
    private FasterCountStore? _store;
    private string _fingerprint = "";

    private FasterCountingBackend(CountingTarget target)
    {
        _target = target;
        _settings = new FasterStoreSettings
        {
            Directory = Path.Combine(target.Directory, StoreFolder),
            IndexBuckets = FasterStoreSettings.BucketsFor(target.ExpectedKeys),
            LogMemoryBytes = Math.Max(16L << 20, target.MemoryBytes / 4), // a quarter of --memory: the log's in-memory part
        };
    }

    public static ICountingBackend Create(CountingTarget target) => new FasterCountingBackend(target);

    public string Location => "faster";

    public bool FlushByClock => true;

    private static NotSupportedException NGramsNotKept() =>
        new("the embedded FASTER count store keeps 64-bit pair keys; n-gram builds count in memory or sorted runs");

    public long NGramChunkTokens => throw NGramsNotKept();

    public void AddNGrams(long tokensDone, NGramTable[] tables) => throw NGramsNotKept();

    public NGramTable[] ReadNGrams(int order, LastWordPartition partition, IProgress<ProgressReport>? progress) => throw NGramsNotKept();

    public long Begin(CountJob job, ExistingModel existing)
    {
        if (job.Shard is not null) throw new UsageException("--shard needs --store garnet://...: workers meet in the cluster");
        _fingerprint = job.Fingerprint;
        if (existing != ExistingModel.Resume || !StoreCheckpoints.HasComplete(_settings.Directory))
        {
            _store = FasterCountStore.Create(_settings);
            return 0;
        }
        _store = FasterCountStore.Open(_settings);
        var progress = CountProgress.FromBytes(_store.RecoveredCookie);
        if (progress is null || progress.Fingerprint != job.Fingerprint)
            throw new UsageException($"{_target.Directory}: the unfinished build used another corpus or other settings " +
                $"({job.SettingsDescription}); use --force to start over");
        return progress.TokensDone;
    }

    public void Count(CountJob job, long from, Action<ICountSink, long> count, IProgress<ProgressReport>? progress)
    {
        if (from < job.Range.To) count(this, from);
    }

    public void Add(long tokensDone, Memory<long> keys, Memory<long> deltas) => Store.AddBatch(keys, deltas);

    public void Commit(long tokensDone) => Store.Checkpoint(new CountProgress(tokensDone, _fingerprint).ToBytes());

    public void Complete(CountJob job) { }

    public void RequireAllShards(CountJob job) => throw new UsageException("finalize needs --store garnet://...: shards are counted in a cluster");

    /// <summary>Scans the store, then closes it: its memory is not needed by the stages after counting.</summary>
    public SortedCounts ReadSorted(IProgress<ProgressReport>? progress)
    {
        var counts = SortedCounts.Read(Store);
        Dispose();
        return counts;
    }

    public void Publish(string model, string manifestJson) { }

    public string? ReadPublished(string model) => null;

    private FasterCountStore Store => _store ?? throw new InvalidOperationException("Begin first");

    /// <summary>An existing model's store, opened for reading its counts (<c>lmc pairs dump</c>).</summary>
    public static FasterCountStore OpenForReading(string modelDirectory) =>
        FasterCountStore.Open(new FasterStoreSettings { Directory = Path.Combine(modelDirectory, StoreFolder), Threads = 1 });

    public void Dispose()
    {
        _store?.Dispose();
        _store = null;
    }
}
