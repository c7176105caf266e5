using LmCompare.Core;
using LmCompare.Counting.Stores;

namespace LmCompare.Counting.Backends;

/// <summary>Every count of a model sorted by key, one per key: what a backend hands the derive stage.</summary>
public sealed record SortedCounts(long[] Keys, long[] Counts)
{
    /// <summary>
    /// All records of a store sorted by key, one per key. A store may hold superseded versions of a key's count (an
    /// append-only log); counts only grow, so the largest version is the count.
    /// </summary>
    public static SortedCounts Read(ICountStore store)
    {
        long bound = store.RecordsUpperBound;
        if (bound > Array.MaxLength) throw new InputException($"the count store holds {bound:N0} records, more than one in-memory sort takes");
        var keys = new long[bound];
        var counts = new long[bound];
        int n = 0;
        foreach (var (key, count) in store.ScanRecords())
        {
            if (n == keys.Length) { Array.Resize(ref keys, Math.Max(16, n * 2)); Array.Resize(ref counts, keys.Length); }
            keys[n] = key;
            counts[n++] = count;
        }
        Array.Sort(keys, counts, 0, n);
        int unique = 0;
        for (int i = 0; i < n; i++)
        {
            if (unique > 0 && keys[unique - 1] == keys[i]) { counts[unique - 1] = Math.Max(counts[unique - 1], counts[i]); continue; }
            keys[unique] = keys[i];
            counts[unique++] = counts[i];
        }
        Array.Resize(ref keys, unique);
        Array.Resize(ref counts, unique);
        return new SortedCounts(keys, counts);
    }
}
