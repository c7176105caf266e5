using LmCompare.Counting.Stores;

namespace LmCompare.Counting.Backends.Memory;

/// <summary>
/// A count store held in a dictionary: no files, no durability. For models built and thrown away in one process
/// (learning curves rebuild the count models on prefixes of the training data) and for tests.
/// </summary>
public sealed class MemoryCountStore : ICountStore
{
    private readonly Dictionary<long, long> _counts = [];

    public void AddBatch(ReadOnlyMemory<long> keys, ReadOnlyMemory<long> deltas)
    {
        var k = keys.Span;
        var d = deltas.Span;
        for (int i = 0; i < k.Length; i++)
        {
            System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_counts, k[i], out _) += d[i];
        }
    }

    public void GetBatch(ReadOnlySpan<long> keys, Span<long> values)
    {
        for (int i = 0; i < keys.Length; i++) values[i] = _counts.GetValueOrDefault(keys[i]);
    }

    public IEnumerable<KeyValuePair<long, long>> ScanRecords() => _counts;

    public long RecordsUpperBound => _counts.Count;

    public void Checkpoint(ReadOnlySpan<byte> cookie) { }

    public byte[] RecoveredCookie => [];

    public StoreFootprint Footprint => new(_counts.Count, 0);

    public void Dispose() { }
}
