namespace LmCompare.Counting.NGrams.Streaming;

/// <summary>
/// A distribution pass's output: one record file (<see cref="RecordWriter"/>'s layout) per bucket, all open for writing
/// at once (a small buffer each), then read back a bucket at a time. Within a bucket the records keep the order they
/// were written in, which is what makes a distribution followed by a stable sort of each bucket a sort. The files are
/// temporary: each is deleted once read (<see cref="Delete"/>) and all of them on <see cref="Dispose"/>.
/// </summary>
public sealed class RecordBuckets : IDisposable
{
    private readonly string[] _paths;
    private readonly RecordWriter?[] _writers;
    private readonly long[] _records;

    /// <param name="prefix">Path prefix of the files (<c>prefix.N.tmp</c>).</param>
    /// <param name="bufferInts">Each writer's buffer (ints): the buckets' buffers together are the pass's memory.</param>
    public RecordBuckets(string prefix, int buckets, int stride, int bufferInts = 1 << 14)
    {
        Stride = stride;
        _paths = Enumerable.Range(0, buckets).Select(b => $"{prefix}.{b}.tmp").ToArray();
        _writers = new RecordWriter?[buckets];
        _records = new long[buckets];
        try
        {
            for (int b = 0; b < buckets; b++) _writers[b] = new RecordWriter(_paths[b], stride, bufferInts);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Count => _paths.Length;
    public int Stride { get; }

    /// <summary>The slot of a record of bucket <paramref name="bucket"/>, to fill before the next call for that bucket.</summary>
    public Span<int> Next(int bucket) => _writers[bucket]!.Next();

    /// <summary>Records written to the bucket (known once <see cref="Close"/> has run).</summary>
    public long Records(int bucket) => _records[bucket];

    /// <summary>Flushes and closes every writer: the end of the distribution.</summary>
    public void Close()
    {
        for (int b = 0; b < _writers.Length; b++)
        {
            if (_writers[b] is not { } writer) continue;
            writer.Dispose();
            _records[b] = writer.Records;
            _writers[b] = null;
        }
    }

    private RecordReader Open(int bucket) => _writers[bucket] is null
        ? new RecordReader(_paths[bucket], Stride)
        : throw new InvalidOperationException("a bucket is read only after the distribution is closed");

    /// <summary>Reads the bucket front to back into <paramref name="buffer"/> (after <see cref="Close"/>): yields how many
    /// ints of whole records each read put there.</summary>
    public IEnumerable<int> Blocks(int bucket, int[] buffer)
    {
        using var reader = Open(bucket);
        for (int read; (read = reader.ReadMany(buffer)) > 0;) yield return read;
    }

    public void Delete(int bucket) => File.Delete(_paths[bucket]);

    public void Dispose()
    {
        foreach (var writer in _writers) writer?.Dispose();
        foreach (string path in _paths) File.Delete(path);
    }
}
