namespace LmCompare.Counting.NGrams.Streaming;

/// <summary>
/// Sorts a stream of fixed-width records larger than memory: records fill a buffer of at most half the budget, each
/// full buffer is radix-sorted (the other half is the sort's scratch), records with equal keys folded, and spilled as
/// a sorted run; <see cref="Finish"/> merges the runs (<see cref="RecordMerge"/>), or hands the one buffer over when
/// nothing spilled. Run files live in <c>directory</c> and go when the sorter is disposed.
/// </summary>
public sealed class ExternalSorter(string directory, string name, int stride, int keyInts, long memoryBytes, RecordCombiner? combine,
    long expectedRecords = -1) : IDisposable
{
    private readonly int _capacity = (int)Math.Clamp(memoryBytes / (8L * stride), 1024, Array.MaxLength / stride - 1) * stride;
    private readonly List<string> _runs = [];
    private int[] _scratch = [];
    private int[] _buffer = [];
    private int _used;

    public int Stride => stride;
    public long Records { get; private set; }
    public IReadOnlyList<string> Runs => _runs;

    /// <summary>The next record's slot, to fill before the next call.</summary>
    public Span<int> Next()
    {
        if (_used == _buffer.Length)
        {
            if (_buffer.Length < _capacity) Grow();
            else SpillRun();
        }
        var slot = _buffer.AsSpan(_used, stride);
        _used += stride;
        Records++;
        return slot;
    }

    public void Add(ReadOnlySpan<int> record) => record.CopyTo(Next());

    /// <summary>The buffer at its final size at once when the input's size is known (growing by doubling would hold 1.5
    /// times the buffer while it copies), else doubled up to the capacity.</summary>
    private void Grow()
    {
        long wanted = expectedRecords >= 0 ? Math.Max(expectedRecords, 1) * stride : Math.Max(1L << 16, _buffer.Length * 2L);
        Array.Resize(ref _buffer, (int)Math.Min(_capacity, Math.Max(wanted, _buffer.Length + stride)));
    }

    /// <summary>Sorts what is buffered and writes it as a run.</summary>
    public void SpillRun()
    {
        if (_used == 0) return;
        var (sorted, ints) = SortBuffer();
        string path = Path.Combine(directory, $"{name}.run{_runs.Count}");
        using (var writer = new RecordWriter(path, stride)) writer.WriteMany(sorted.AsSpan(0, ints));
        _runs.Add(path);
        _used = 0;
    }

    /// <summary>Every record added, sorted (and folded); the sorter must not be added to afterwards.</summary>
    public IRecordSource Finish()
    {
        if (_runs.Count == 0)
        {
            var (sorted, ints) = SortBuffer();
            _buffer = _scratch = [];
            return new ArrayRecords(sorted, ints, stride);
        }
        SpillRun();
        _buffer = _scratch = [];
        return new RecordMerge(_runs.Select(r => (IRecordSource)new RecordReader(r, stride)).ToList(), keyInts, combine);
    }

    private (int[] Sorted, int Ints) SortBuffer()
    {
        int count = _used / stride;
        if (_scratch.Length < _used) _scratch = new int[_buffer.Length];
        var sorted = RecordRadixSort.Sort(_buffer, _scratch, count, stride, keyInts);
        if (sorted == _scratch) (_buffer, _scratch) = (_scratch, _buffer); // the next records go into the other array
        int ints = combine is null ? _used : FoldAdjacent(sorted, count);
        return (sorted, ints);
    }

    /// <summary>Folds each run of equal keys into its first record, compacting; returns the ints kept.</summary>
    private int FoldAdjacent(int[] sorted, int count)
    {
        if (count == 0) return 0;
        int kept = 0;
        for (int r = 1; r < count; r++)
        {
            var record = sorted.AsSpan(r * stride, stride);
            var last = sorted.AsSpan(kept * stride, stride);
            if (RecordMerge.CompareKeys(last, record, keyInts) == 0) combine!(last, record);
            else record.CopyTo(sorted.AsSpan(++kept * stride, stride));
        }
        return (kept + 1) * stride;
    }

    public void Dispose()
    {
        foreach (string run in _runs) File.Delete(run);
        _buffer = _scratch = [];
    }
}

/// <summary>Records held in an array, as a stream.</summary>
public sealed class ArrayRecords(int[] records, int ints, int stride) : IRecordSource
{
    private int _position = -stride;

    public int Stride => stride;
    public ReadOnlySpan<int> Current => records.AsSpan(_position, stride);
    public bool MoveNext() => (_position += stride) < ints;
    public void Dispose() { }
}
