using LmCompare.Core;
using LmCompare.Counting.NGrams;
using LmCompare.Counting.NGrams.Streaming;
using LmCompare.Counting.Pairs;
using LmCompare.Counting.Stores;

namespace LmCompare.Counting.Backends.SortedRuns;

/// <summary>Hands the streaming Kneser-Ney estimate its counts as sorted runs, without a detour through tables.</summary>
public interface ICountRunSource
{
    /// <summary>Every counted chunk's runs, per order (the estimate deletes them once merged).</summary>
    CountRuns TakeRuns();
}

/// <summary>
/// Counts beyond --memory as sorted runs on disk, merged by the stage after the count (lmplz's design, Heafield et al.
/// 2013). N-grams: each chunk's tables (as many positions as the budget holds) are written as one sorted run per order
/// (<see cref="CountRuns"/>, suffix order), which stage adjust merges. Pairs: each full aggregation table is sorted by
/// key in place and written as one run of <see cref="PairCountRecords"/>; <see cref="ReadSortedPairs"/> merges them,
/// adding the counts of equal keys. A ledger beside the runs records the chunks committed and the job's fingerprint,
/// written last after each chunk, so a killed count resumes at the next chunk (chunks start at fixed positions: the
/// resumed runs are the same files).
/// </summary>
public sealed class SortedRunCountingBackend : ICountingBackend, ICountSink, ICountRunSource
{
    /// <summary>The folder under the model's folder that holds the runs during the build.</summary>
    public const string WorkFolder = ".count-runs";

    private readonly string _directory;
    private readonly int _order;
    private Ledger _ledger = new("", 0, 0, false);

    private sealed record Ledger(string Fingerprint, long TokensDone, int Chunks, bool Complete);

    private SortedRunCountingBackend(string directory, int order, long chunkTokens)
    {
        _directory = directory;
        _order = order;
        NGramChunkTokens = chunkTokens;
    }

    /// <summary>The factory for pair counts (a run per full table).</summary>
    public static ICountingBackend ForPairs(CountingTarget target) =>
        new SortedRunCountingBackend(Path.Combine(target.Directory, WorkFolder), 0, 0);

    /// <summary>The factory for order-<paramref name="order"/> counts in chunks of <paramref name="chunkTokens"/> positions.</summary>
    public static CountingBackendFactory Factory(int order, long chunkTokens) =>
        target => new SortedRunCountingBackend(Path.Combine(target.Directory, WorkFolder), order, chunkTokens);

    public string Location => "sorted-runs";

    public bool FlushByClock => false;

    public long NGramChunkTokens { get; }

    private string LedgerPath => Path.Combine(_directory, "ledger.json");

    private string RunPath(int k, int chunk) => Path.Combine(_directory, $"count-{k}-{chunk}.run");

    private string PairRunPath(int chunk, int part) => Path.Combine(_directory, $"pairs-{chunk}-{part}.run");

    private int _parts; // pair runs of the chunk not committed yet

    public long Begin(CountJob job, ExistingModel existing)
    {
        if (job.Shard is not null) throw new UsageException("--shard needs --store garnet://...: workers meet in the cluster");
        if (existing == ExistingModel.Resume && ReadLedger() is { } ledger && ledger.Fingerprint == job.Fingerprint)
        {
            _ledger = ledger;
            foreach (string file in Directory.EnumerateFiles(_directory)) // runs of a chunk the ledger does not hold
                if (file != LedgerPath && !IsCommittedRun(Path.GetFileName(file))) File.Delete(file);
            return ledger.Complete ? job.Range.To : ledger.TokensDone;
        }
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
        Directory.CreateDirectory(_directory);
        _ledger = new Ledger(job.Fingerprint, job.Range.From, 0, false);
        return job.Range.From;
    }

    private bool IsCommittedRun(string name)
    {
        var parts = Path.GetFileNameWithoutExtension(name).Split('-'); // count-k-chunk, pairs-chunk-part
        return name.EndsWith(".run", StringComparison.Ordinal) && parts.Length == 3
            && int.TryParse(parts[0] == "pairs" ? parts[1] : parts[2], out int chunk) && chunk < _ledger.Chunks;
    }

    private Ledger? ReadLedger() => LedgerFile.Read<Ledger>(LedgerPath);

    private void WriteLedger(Ledger ledger) => _ledger = LedgerFile.Write(LedgerPath, ledger);

    public void Count(CountJob job, long from, Action<ICountSink, long> count, IProgress<ProgressReport>? progress)
    {
        if (!_ledger.Complete) count(this, from);
    }

    /// <summary>Sorts the table's counts by key in place and writes them as one run (temporary name, then renamed).</summary>
    public void Add(long tokensDone, Memory<long> keys, Memory<long> deltas)
    {
        KeyValueSort.Sort(keys, deltas);
        string path = PairRunPath(_ledger.Chunks, _parts++), temp = path + ".tmp";
        using (var writer = new RecordWriter(temp, PairCountRecords.Stride))
        {
            var k = keys.Span;
            var c = deltas.Span;
            for (int i = 0; i < k.Length; i++) PairCountRecords.Set(writer.Next(), k[i], c[i]);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Writes the chunk's tables as its runs (each under a temporary name, then renamed).</summary>
    public void AddNGrams(long tokensDone, NGramTable[] tables)
    {
        foreach (var table in tables) CountRuns.WriteRun(table, RunPath(table.Order, _ledger.Chunks));
    }

    public void Commit(long tokensDone)
    {
        WriteLedger(_ledger with { TokensDone = tokensDone, Chunks = _ledger.Chunks + 1 });
        _parts = 0;
        if (_order > 0) BuildMemory.Release(); // the chunk's tables go before the next chunk's are made
    }

    public void Complete(CountJob job) => WriteLedger(_ledger with { Complete = true });

    public void RequireAllShards(CountJob job) =>
        throw new UsageException("finalize needs --store garnet://...: shards are counted in a cluster");

    public SortedCounts ReadSorted(IProgress<ProgressReport>? progress) =>
        throw new NotSupportedException("sorted runs are merged as a stream (ReadSortedPairs), never held whole");

    /// <summary>The k-way merge of every committed pair run, equal keys' counts added.</summary>
    public IRecordSource ReadSortedPairs(IProgress<ProgressReport>? progress)
    {
        var runs = Directory.EnumerateFiles(_directory, "pairs-*.run").Where(f => IsCommittedRun(Path.GetFileName(f))).Order(StringComparer.Ordinal)
            .Select(f => (IRecordSource)new RecordReader(f, PairCountRecords.Stride)).ToList();
        progress?.Report(new ProgressReport("derive: merge runs", runs.Count, runs.Count, "runs"));
        return new RecordMerge(runs, PairCountRecords.KeyInts, PairCountRecords.Combine);
    }

    public NGramTable[] ReadNGrams(int order, LastWordPartition partition, IProgress<ProgressReport>? progress) =>
        throw new NotSupportedException("sorted runs are merged by the streaming estimate (TakeRuns)");

    public CountRuns TakeRuns()
    {
        var runs = new CountRuns(_order);
        for (int chunk = 0; chunk < _ledger.Chunks; chunk++)
            for (int k = 1; k <= _order; k++) runs.Add(k, RunPath(k, chunk));
        return runs;
    }

    public void Publish(string model, string manifestJson) { }

    public string? ReadPublished(string model) => null;

    /// <summary>The runs stay for a resume; the build deletes <see cref="WorkFolder"/> with the finished model.</summary>
    public void Dispose() { }
}
