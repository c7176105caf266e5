namespace LmCompare.Counting.Stores;

/// <summary>
/// A durable map from 64-bit keys to 64-bit counts. The pair-distance and n-gram models count into one; the
/// embedded default is FASTER (<see cref="FasterCountStore"/>), and any other implementation (a cluster store)
/// plugs in behind the same calls. Engine types never cross this interface.
/// </summary>
public interface ICountStore : IDisposable
{
    /// <summary>Adds deltas[i] (positive) to the count of keys[i] (read-modify-write; a missing key starts at 0).</summary>
    void AddBatch(ReadOnlyMemory<long> keys, ReadOnlyMemory<long> deltas);

    /// <summary>Fills values[i] with the count of keys[i], 0 when absent.</summary>
    void GetBatch(ReadOnlySpan<long> keys, Span<long> values);

    /// <summary>
    /// Every stored record, in no particular order. A key may appear more than once (superseded versions of its count);
    /// counts only grow, so the largest value of a key is its count. Consumers that sort by key keep the maximum.
    /// </summary>
    IEnumerable<KeyValuePair<long, long>> ScanRecords();

    /// <summary>An upper bound of the records <see cref="ScanRecords"/> yields (to size buffers once).</summary>
    long RecordsUpperBound { get; }

    /// <summary>Makes everything added so far durable together with <paramref name="cookie"/> (resume state).</summary>
    void Checkpoint(ReadOnlySpan<byte> cookie);

    /// <summary>The cookie of the checkpoint the store was opened from; empty for a new store.</summary>
    byte[] RecoveredCookie { get; }

    /// <summary>Distinct keys and bytes the store takes on disk.</summary>
    StoreFootprint Footprint { get; }
}

/// <param name="Entries">Distinct keys (live records).</param>
/// <param name="BytesOnDisk">Bytes of every file of the store.</param>
public sealed record StoreFootprint(long Entries, long BytesOnDisk);
