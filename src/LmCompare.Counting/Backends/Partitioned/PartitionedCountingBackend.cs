using LmCompare.Core;
using LmCompare.Counting.NGrams;

namespace LmCompare.Counting.Backends.Partitioned;

/// <summary>
/// N-gram counts beyond --memory: each chunk's tables are spilled to one file per partition of the last word and order
/// (<see cref="LastWordPartition"/>), and a partition's counts are summed when the estimate asks for them, so the build
/// holds one chunk or one partition at a time. Nothing survives the build: an interrupted count starts over (the model
/// store's write resumes). Pair counts are not kept here (their keys fit the FASTER store).
/// </summary>
public sealed class PartitionedCountingBackend : ICountingBackend, ICountSink
{
    /// <summary>The folder under the model's folder that holds the partition files during the build.</summary>
    public const string WorkFolder = ".count-partitions";

    private readonly string _directory;
    private readonly int _partitions;
    private readonly BinaryWriter?[,] _writers; // [partition, order - 1]

    private PartitionedCountingBackend(string directory, int partitions, long chunkTokens)
    {
        _directory = directory;
        _partitions = partitions;
        NGramChunkTokens = chunkTokens;
        _writers = new BinaryWriter?[partitions, KneserNeySettings.MaxOrder];
    }

    /// <summary>The factory for <paramref name="partitions"/> partitions, counting chunks of <paramref name="chunkTokens"/> positions.</summary>
    public static CountingBackendFactory Factory(int partitions, long chunkTokens) =>
        target => new PartitionedCountingBackend(Path.Combine(target.Directory, WorkFolder), partitions, chunkTokens);

    public string Location => "partitioned";

    public bool FlushByClock => false;

    public long NGramChunkTokens { get; }

    public long Begin(CountJob job, ExistingModel existing)
    {
        if (job.Shard is not null) throw new UsageException("--shard needs --store garnet://...: workers meet in the cluster");
        DeleteFiles();
        Directory.CreateDirectory(_directory);
        return job.Range.From;
    }

    public void Count(CountJob job, long from, Action<ICountSink, long> count, IProgress<ProgressReport>? progress) => count(this, from);

    public void Add(long tokensDone, ReadOnlyMemory<long> keys, ReadOnlyMemory<long> deltas) =>
        throw new NotSupportedException("partition files keep n-gram counts; pair counts go to the FASTER store");

    /// <summary>Appends every n-gram of the chunk (its words, its raw count) to its partition's file of its order.</summary>
    public void AddNGrams(long tokensDone, NGramTable[] tables)
    {
        foreach (var table in tables)
            for (int i = 0; i < table.Count; i++)
            {
                var words = table.Words(i);
                int p = LastWordPartition.Of(words[^1], _partitions);
                var writer = _writers[p, table.Order - 1] ??= new BinaryWriter(
                    new FileStream(FileOf(p, table.Order), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16));
                foreach (int w in words) writer.Write(w);
                writer.Write(table.Raw[i]);
            }
    }

    public void Commit(long tokensDone)
    {
        foreach (var writer in _writers) writer?.Flush();
    }

    public void Complete(CountJob job) => CloseWriters();

    public void RequireAllShards(CountJob job) =>
        throw new UsageException("finalize needs --store garnet://...: shards are counted in a cluster");

    public SortedCounts ReadSorted(IProgress<ProgressReport>? progress) =>
        throw new NotSupportedException("partition files keep n-gram counts; pair counts go to the FASTER store");

    /// <summary>The partition's counts, summed over the chunks that spilled them; its files are deleted once read.</summary>
    public NGramTable[] ReadNGrams(int order, LastWordPartition partition, IProgress<ProgressReport>? progress)
    {
        if (partition.Count != _partitions) throw new InvalidOperationException($"counted {_partitions} partitions, asked for {partition.Count}");
        CloseWriters();
        var tables = new NGramTable[order];
        for (int k = 1; k <= order; k++) tables[k - 1] = ReadFile(FileOf(partition.Index, k), k);
        return tables;
    }

    private static NGramTable ReadFile(string path, int order)
    {
        if (!File.Exists(path)) return new NGramTable(order, 16);
        long records = new FileInfo(path).Length / (4L * order + 8);
        var table = new NGramTable(order, (int)Math.Clamp(records / 2, 16, 1 << 28));
        using (var reader = new BinaryReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16)))
        {
            Span<int> words = stackalloc int[order];
            for (long r = 0; r < records; r++)
            {
                for (int j = 0; j < order; j++) words[j] = reader.ReadInt32();
                table.AddRaw(words, reader.ReadInt64());
            }
        }
        File.Delete(path);
        return table;
    }

    public void Publish(string model, string manifestJson) { }

    public string? ReadPublished(string model) => null;

    private string FileOf(int partition, int order) => Path.Combine(_directory, $"counts-{partition}-{order}.bin");

    private void CloseWriters()
    {
        for (int p = 0; p < _partitions; p++)
            for (int k = 0; k < KneserNeySettings.MaxOrder; k++)
            {
                _writers[p, k]?.Dispose();
                _writers[p, k] = null;
            }
    }

    private void DeleteFiles()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    public void Dispose()
    {
        CloseWriters();
        DeleteFiles();
    }
}
