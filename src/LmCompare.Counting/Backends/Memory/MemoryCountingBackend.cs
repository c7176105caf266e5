using LmCompare.Counting.Stores;
using LmCompare.Core;

namespace LmCompare.Counting.Backends.Memory;

/// <summary>
/// Counts held in a dictionary: no files, no durability, nothing to resume. For models built and thrown away in one
/// process (learning curves rebuild the count models on prefixes of the training data) and for tests.
/// </summary>
public sealed class MemoryCountingBackend : ICountingBackend, ICountSink
{
    private readonly MemoryCountStore _store = new();

    public static ICountingBackend Create(CountingTarget target) => new MemoryCountingBackend();

    public string Location => "memory";

    public bool FlushByClock => false;

    public long Begin(CountJob job, ExistingModel existing)
    {
        if (job.Shard is not null) throw new UsageException("--shard needs --store garnet://...: workers meet in the cluster");
        return 0;
    }

    public void Count(CountJob job, long from, Action<ICountSink, long> count, IProgress<ProgressReport>? progress) => count(this, from);

    public void Add(long tokensDone, ReadOnlyMemory<long> keys, ReadOnlyMemory<long> deltas) => _store.AddBatch(keys, deltas);

    public void Commit(long tokensDone) { }

    public void Complete(CountJob job) { }

    public void RequireAllShards(CountJob job) { }

    public SortedCounts ReadSorted(IProgress<ProgressReport>? progress) => SortedCounts.Read(_store);

    public void Publish(string model, string manifestJson) { }

    public void Dispose() { }
}
