namespace LmCompare.Counting.NGrams.Streaming;

/// <summary>A forward-only stream of fixed-width records; <see cref="Current"/> stays valid until the next <see cref="MoveNext"/>.</summary>
public interface IRecordSource : IDisposable
{
    int Stride { get; }
    ReadOnlySpan<int> Current { get; }
    bool MoveNext();
}

/// <summary>Folds a record into another with the same key (e.g. adds its count).</summary>
public delegate void RecordCombiner(Span<int> into, ReadOnlySpan<int> other);

/// <summary>
/// The k-way merge of sorted record streams (a binary heap of their heads, ordered by the first key ints), optionally
/// folding records with equal keys into one: the merge phase of an external sort (Knuth, TAOCP vol. 3, 5.4.1).
/// </summary>
public sealed class RecordMerge : IRecordSource
{
    private readonly IRecordSource[] _inputs;
    private readonly int[] _heap;
    private readonly int _keyInts;
    private readonly RecordCombiner? _combine;
    private readonly int[] _current;
    private int _size;
    private bool _started;

    public RecordMerge(IReadOnlyList<IRecordSource> inputs, int keyInts, RecordCombiner? combine)
    {
        _inputs = inputs.ToArray();
        Stride = _inputs.Length == 0 ? 1 : _inputs[0].Stride;
        if (_inputs.Any(i => i.Stride != Stride)) throw new ArgumentException("merged streams must have one record width");
        _keyInts = keyInts;
        _combine = combine;
        _current = new int[Stride];
        _heap = new int[_inputs.Length];
    }

    public int Stride { get; }
    public ReadOnlySpan<int> Current => _current;

    public static int CompareKeys(ReadOnlySpan<int> a, ReadOnlySpan<int> b, int keyInts)
    {
        for (int i = 0; i < keyInts; i++)
            if (a[i] != b[i]) return ((uint)a[i]).CompareTo((uint)b[i]);
        return 0;
    }

    public bool MoveNext()
    {
        if (!_started)
        {
            _started = true;
            for (int i = 0; i < _inputs.Length; i++)
                if (_inputs[i].MoveNext()) { _heap[_size++] = i; SiftUp(_size - 1); }
        }
        if (_size == 0) return false;
        _inputs[_heap[0]].Current.CopyTo(_current);
        Advance();
        if (_combine is null) return true;
        while (_size > 0 && CompareKeys(_inputs[_heap[0]].Current, _current, _keyInts) == 0)
        {
            _combine(_current, _inputs[_heap[0]].Current);
            Advance();
        }
        return true;
    }

    /// <summary>Moves the top stream on; drops it from the heap when it ends.</summary>
    private void Advance()
    {
        if (!_inputs[_heap[0]].MoveNext()) _heap[0] = _heap[--_size];
        if (_size > 0) SiftDown(0);
    }

    private bool Less(int a, int b)
    {
        int c = CompareKeys(_inputs[_heap[a]].Current, _inputs[_heap[b]].Current, _keyInts);
        return c < 0 || (c == 0 && _heap[a] < _heap[b]); // ties by stream: stable
    }

    private void SiftUp(int i)
    {
        while (i > 0 && Less(i, (i - 1) / 2)) { (_heap[i], _heap[(i - 1) / 2]) = (_heap[(i - 1) / 2], _heap[i]); i = (i - 1) / 2; }
    }

    private void SiftDown(int i)
    {
        while (true)
        {
            int l = 2 * i + 1, r = l + 1, m = i;
            if (l < _size && Less(l, m)) m = l;
            if (r < _size && Less(r, m)) m = r;
            if (m == i) return;
            (_heap[i], _heap[m]) = (_heap[m], _heap[i]);
            i = m;
        }
    }

    public void Dispose()
    {
        foreach (var input in _inputs) input.Dispose();
    }
}
