using LmCompare.Core;
using LmCompare.Counting.NGrams;

namespace LmCompare.Counting.Backends;

/// <summary>
/// Where a count model's counts are made and kept: the embedded FASTER store (default for pairs), memory (the n-gram
/// default, and models built and thrown away in one process), sorted runs on disk (n-grams beyond --memory), or a
/// cluster that many workers share. A builder is handed one by a
/// <see cref="CountingBackendFactory"/> and never asks which it is: it counts a range of the training tokens into it
/// (<see cref="Count"/>), the backend makes the counts durable with a resume point and whatever batching, idempotency
/// and ledger it needs, and hands them back sorted for the derive stage (<see cref="ReadSorted"/>).
/// See docs/ARCHITECTURE.md, "Counting backends", for how to add one.
/// </summary>
public interface ICountingBackend : IDisposable
{
    /// <summary>Where the counts live, as the model's manifest records it: <c>faster</c>, <c>memory</c>, or a cluster's
    /// location (endpoints, never a password).</summary>
    string Location { get; }

    /// <summary>
    /// Readies the count of <paramref name="job"/> and returns the training token to count from: the job's first one, or
    /// where an interrupted count of the same job stands when <paramref name="existing"/> is
    /// <see cref="ExistingModel.Resume"/>. <see cref="ExistingModel.Replace"/> discards earlier counts; counts of other
    /// settings, or a shard the backend cannot take, are refused in one line.
    /// </summary>
    long Begin(CountJob job, ExistingModel existing);

    /// <summary>
    /// Runs <paramref name="count"/> from <paramref name="from"/> to the end of the job's range. The counter aggregates in
    /// memory and hands each full table to the sink it is given (<see cref="ICountSink.Add"/>, then <see cref="ICountSink.Commit"/>); the backend may
    /// run it
    /// again from the range's start (a cluster replays batches a restarted node lost).
    /// </summary>
    void Count(CountJob job, long from, Action<ICountSink, long> count, IProgress<ProgressReport>? progress);

    /// <summary>Records the job's range as counted (a shard: in the ledger that finalize checks).</summary>
    void Complete(CountJob job);

    /// <summary>Refuses, naming them, while shards of the model are missing or were counted with other settings; a
    /// backend without shards has nothing to check.</summary>
    void RequireAllShards(CountJob job);

    /// <summary>Every count of the model, sorted by key, one per key. The backend may release its own memory afterwards.</summary>
    SortedCounts ReadSorted(IProgress<ProgressReport>? progress);

    /// <summary>
    /// Every pair count of the model as a sorted record stream (<see cref="Pairs.PairCountRecords"/>), for the derive stage:
    /// <see cref="ReadSorted"/> by default, merged from disk where the counts are too many to hold.
    /// </summary>
    NGrams.Streaming.IRecordSource ReadSortedPairs(IProgress<ProgressReport>? progress)
    {
        var counts = ReadSorted(progress);
        return Pairs.PairCountRecords.FromArrays(counts.Keys, counts.Counts);
    }

    /// <summary>
    /// The raw counts of every counted n-gram whose last word lies in <paramref name="partition"/>, as tables of orders
    /// 1..<paramref name="order"/> (the Kneser-Ney pipeline's stage "count" hands them to "adjust"). A backend may give
    /// up its own copy of what it returns.
    /// </summary>
    NGramTable[] ReadNGrams(int order, LastWordPartition partition, IProgress<ProgressReport>? progress);

    /// <summary>Records the finished model's manifest beside its counts (a cluster: so other machines can attach it).</summary>
    void Publish(string model, string manifestJson);

    /// <summary>The manifest <see cref="Publish"/> recorded for <paramref name="model"/>, or null (none, or a backend only
    /// this process sees).</summary>
    string? ReadPublished(string model);
}

/// <summary>What a counter hands its aggregated counts to.</summary>
public interface ICountSink
{
    /// <summary>
    /// Whether a flush may fall where the clock says (<c>--checkpoint-seconds</c>). A backend whose batch ids follow from
    /// where flushes fall (so that a resumed run repeats them exactly) says no: flushes then fall only where the table fills.
    /// </summary>
    bool FlushByClock { get; }

    /// <summary>Adds one table's counts (keys &gt;= 0, deltas &gt; 0), the counts of the positions before
    /// <paramref name="tokensDone"/> not added yet. A flush may add several tables before it commits. The sink may reorder
    /// the two arrays (together) in place: the table is emptied after the call.</summary>
    void Add(long tokensDone, Memory<long> keys, Memory<long> deltas);

    /// <summary>
    /// Training positions an n-gram counter aggregates before it hands its tables over (<see cref="AddNGrams"/>). Chunks
    /// start at fixed positions, so a resumed count repeats them exactly: a cluster resumes by chunk, memory takes the whole
    /// range as one, sorted runs a chunk that fits the build's memory.
    /// </summary>
    long NGramChunkTokens { get; }

    /// <summary>Adds one chunk's n-gram counts: tables of orders 1..N with raw counts, the windows that end before
    /// <paramref name="tokensDone"/> and were not added yet. The sink may keep the tables.</summary>
    void AddNGrams(long tokensDone, NGramTable[] tables);

    /// <summary>Makes everything added durable with <paramref name="tokensDone"/> as the resume point: every position
    /// before it is counted.</summary>
    void Commit(long tokensDone);
}

/// <summary>One count: the model, the settings that must match on resume, and the training positions to count.</summary>
/// <param name="Model">The model's name (a cluster's key space).</param>
/// <param name="Fingerprint">Corpus, vocabulary and the settings that change the counts; a resume with another is refused.</param>
/// <param name="SettingsDescription">The options behind the fingerprint, for refusals (e.g. "--distances").</param>
/// <param name="TrainTokens">Tokens of the training split.</param>
/// <param name="Shard">This worker's shard, or null for the whole training split in one process.</param>
/// <param name="VocabularySize">Word ids are below it (a backend whose key layout limits ids refuses a larger one).</param>
public sealed record CountJob(string Model, string Fingerprint, string SettingsDescription, long TrainTokens, ShardSpec? Shard = null,
    int VocabularySize = 0)
{
    /// <summary>The first token of the job's range and the one after its last.</summary>
    public (long From, long To) Range => Shard?.Range(TrainTokens) ?? (0, TrainTokens);
}

/// <summary>What a backend needs to know of the model it counts for.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Directory">The model's folder (an embedded store lives in it).</param>
/// <param name="ExpectedKeys">About how many distinct keys to expect (to size an index once).</param>
/// <param name="MemoryBytes">The build's <c>--memory</c> budget.</param>
public sealed record CountingTarget(string Model, string Directory, long ExpectedKeys, long MemoryBytes);

/// <summary>Makes the backend a build counts into; the CLI chooses it once from <c>--store</c>.</summary>
public delegate ICountingBackend CountingBackendFactory(CountingTarget target);

/// <summary>
/// Opens the backend holding a finished model's counts from the location its manifest records (see
/// <see cref="ICountingBackend.Location"/>); null when the counts are in the model's own folder. The CLI supplies it.
/// </summary>
public delegate ICountingBackend? CountLocationResolver(string location, string model);
