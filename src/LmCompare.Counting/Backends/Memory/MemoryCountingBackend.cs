using LmCompare.Counting.Stores;
using LmCompare.Core;
using LmCompare.Counting.NGrams;

namespace LmCompare.Counting.Backends.Memory;

/// <summary>
/// Counts held in a dictionary: no files, no durability, nothing to resume. For models built and thrown away in one
/// process (learning curves rebuild the count models on prefixes of the training data) and for tests, and n-gram
/// counts held as tables: the default of an n-gram build that fits its --memory, counted as one chunk.
/// </summary>
public sealed class MemoryCountingBackend : ICountingBackend, ICountSink
{
    private readonly MemoryCountStore _store = new();
    private NGramTable[]? _ngrams;

    public static ICountingBackend Create(CountingTarget target) => new MemoryCountingBackend();

    public string Location => "memory";

    public bool FlushByClock => false;

    /// <summary>The whole range as one chunk (a span of tokens has at most int.MaxValue of them).</summary>
    public long NGramChunkTokens => int.MaxValue;

    public long Begin(CountJob job, ExistingModel existing)
    {
        if (job.Shard is not null) throw new UsageException("--shard needs --store garnet://...: workers meet in the cluster");
        return 0;
    }

    public void Count(CountJob job, long from, Action<ICountSink, long> count, IProgress<ProgressReport>? progress) => count(this, from);

    public void Add(long tokensDone, Memory<long> keys, Memory<long> deltas) => _store.AddBatch(keys, deltas);

    public void AddNGrams(long tokensDone, NGramTable[] tables)
    {
        if (_ngrams is null) { _ngrams = tables; return; }
        for (int k = 0; k < tables.Length; k++) _ngrams[k].AddRawCounts(tables[k]);
    }

    public void Commit(long tokensDone) { }

    public void Complete(CountJob job) { }

    public void RequireAllShards(CountJob job) { }

    public SortedCounts ReadSorted(IProgress<ProgressReport>? progress) => SortedCounts.Read(_store);

    /// <summary>The tables themselves for the one partition (this backend then holds none), else the partition's copy.</summary>
    public NGramTable[] ReadNGrams(int order, LastWordPartition partition, IProgress<ProgressReport>? progress)
    {
        var all = _ngrams ?? NGramCounter.NewTables(order, 16, 0);
        if (all.Length != order) throw new InvalidOperationException($"counted order {all.Length}, asked for {order}");
        if (partition.Count == 1) _ngrams = null;
        return partition.Select(all);
    }

    public void Publish(string model, string manifestJson) { }

    public string? ReadPublished(string model) => null;

    public void Dispose() { }
}
