namespace LmCompare.Evaluation.Analysis;

/// <summary>
/// One kind of training key for training data too large to hold (<see cref="TrainingCensus.Streamed"/>), in two phases.
/// First the analyses run once in <em>recording</em> phase: every key they look up is noted and answered "seen" (so a
/// longest-suffix search goes on to the longer keys it may need). Then one pass over the training tokens
/// (<see cref="Observe"/>) marks which noted keys occur and feeds a <see cref="HyperLogLog"/>, snapshotted at the growth
/// prefixes. Afterwards <see cref="Contains"/> answers noted keys exactly and refuses others (a key it was not asked
/// about before the pass cannot be answered); distinct counts are estimates within about 1%.
/// </summary>
public sealed class StreamedKeyCensus(IReadOnlyList<long> prefixes) : ITrainingKeys
{
    private readonly NotedKeySet _queried = new();
    private readonly HyperLogLog _distinct = new();
    private readonly long[] _prefixes = [.. prefixes];
    private readonly long[] _atPrefix = new long[prefixes.Count];
    private bool _recording = true;

    public long Distinct { get; private set; }

    public bool Contains(ulong key)
    {
        if (_recording) { _queried.Add(key); return true; }
        return _queried.TryGetSeen(key, out bool seen) ? seen
            : throw new InvalidOperationException("a key the analyses did not look up while recording");
    }

    /// <summary>A key of the training data (in token order).</summary>
    public void Observe(ulong key)
    {
        _distinct.Add(key);
        _queried.MarkSeen(key);
    }

    /// <summary>Records the estimate for a growth prefix that ends here (called when the scan reaches its end).</summary>
    public void ReachPrefix(int index) => _atPrefix[index] = _distinct.Estimate();

    /// <summary>Ends the pass: lookups are answered from now on.</summary>
    public void Complete()
    {
        _recording = false;
        Distinct = _distinct.Estimate();
    }

    public long DistinctIn(long prefixTokens)
    {
        int index = Array.IndexOf(_prefixes, prefixTokens);
        return index >= 0 ? _atPrefix[index] : throw new ArgumentException($"no snapshot at {prefixTokens} tokens", nameof(prefixTokens));
    }
}
