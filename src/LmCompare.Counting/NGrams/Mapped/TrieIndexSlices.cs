using LmCompare.Counting.NGrams.Streaming;

namespace LmCompare.Counting.NGrams.Mapped;

/// <summary>
/// Each n-gram's trie index by its index in <c>ngrams.bin</c>, for an order whose map (4 bytes per n-gram) need not fit
/// the budget: (index, trie index) pairs in one file per slice of indexes, a slice as wide as one int array the order
/// above's sort can hold (<see cref="SliceWidth"/>, a power of two). The order's sort writes the pairs in trie order
/// (<see cref="Add"/>), the order above loads one slice at a time as a map (<see cref="Load"/>), which checks that the
/// slice holds every index once.
/// </summary>
internal sealed class TrieIndexSlices : IDisposable
{
    private readonly RecordBuckets _files;
    private readonly int _shift;

    /// <param name="prefix">Path prefix of the slice files.</param>
    /// <param name="count">N-grams of the order.</param>
    /// <param name="maxSliceInts">The widest slice the loader may hold as one int array.</param>
    public TrieIndexSlices(string prefix, long count, long maxSliceInts)
    {
        Count = count;
        _shift = Math.Min(30, System.Numerics.BitOperations.Log2((ulong)Math.Max(1, maxSliceInts))); // the largest power of two within
        long width = 1L << _shift;
        _files = new RecordBuckets(prefix, (int)Math.Max(1, (count + width - 1) / width), 2);
    }

    public long Count { get; }
    public int SliceWidth => 1 << _shift;
    public int SliceCount => _files.Count;

    /// <summary>The trie indexes of <paramref name="sources"/> are <paramref name="trieStart"/>, trieStart + 1, ....</summary>
    public void Add(ReadOnlySpan<int> sources, long trieStart)
    {
        for (int i = 0; i < sources.Length; i++)
        {
            var pair = _files.Next(sources[i] >> _shift);
            (pair[0], pair[1]) = (sources[i], (int)(trieStart + i));
        }
    }

    /// <summary>N-gram i's trie index is <paramref name="trieIndexes"/>[i] (a whole order's map: the unigrams').</summary>
    public void AddMap(ReadOnlySpan<int> trieIndexes)
    {
        for (int i = 0; i < trieIndexes.Length; i++)
        {
            var pair = _files.Next(i >> _shift);
            (pair[0], pair[1]) = (i, trieIndexes[i]);
        }
    }

    /// <summary>Every pair is written.</summary>
    public void Complete() => _files.Close();

    /// <summary>The trie indexes of slice <paramref name="slice"/>'s n-grams, by index minus the slice's first
    /// (<paramref name="reuse"/> when it is wide enough); the slice's file is deleted once read.</summary>
    public int[] Load(int slice, int[]? reuse = null)
    {
        long first = (long)slice << _shift;
        int width = (int)Math.Min(SliceWidth, Count - first);
        var map = reuse is not null && reuse.Length >= width ? reuse : new int[width];
        map.AsSpan(0, width).Fill(-1);
        long pairs = 0;
        var block = new int[2 << 14];
        foreach (int read in _files.Blocks(slice, block))
            for (int i = 0; i < read; i += 2, pairs++)
            {
                long at = block[i] - first;
                if ((ulong)at >= (ulong)width || map[at] >= 0)
                    throw new InvalidDataException($"trie index slice {slice}: index {block[i]} is outside it or twice in it");
                map[at] = block[i + 1];
            }
        if (pairs != width) throw new InvalidDataException($"trie index slice {slice}: {pairs} pairs for {width} n-grams");
        _files.Delete(slice);
        return map;
    }

    public void Dispose() => _files.Dispose();
}
