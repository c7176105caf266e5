using System.Runtime.InteropServices;
using LmCompare.Core;
using Microsoft.Win32.SafeHandles;

namespace LmCompare.Counting.NGrams;

/// <summary>
/// An n-gram model scored from its file <c>ngrams.bin</c> without loading it into hash tables: each order's records are
/// sorted by (last word, context index) (<see cref="ModelRecords"/>), so an n-gram is one binary search from its
/// context's index, a forward trie. Orders that fit the cache budget are read into arrays (the small, busy ones: unigrams,
/// bigrams); the others stay on disk behind a sample of every 64th key, and a lookup reads one 64-record block (1.5 KB)
/// with a positioned read. Memory is the cache plus 1/8 byte of sample per record however large the model, and the
/// file's pages stay in the page cache, not in the process (a memory map would count every touched page as resident).
/// The scorer (<see cref="ContextStateScorer"/>) keeps KenLM's state as context indexes and sums exactly as
/// <see cref="NGramScorer"/> does, so the perplexities equal the loaded model's to every bit.
/// </summary>
public sealed class NGramFileModel : INGramLookup, IDisposable // one scorer at a time: lookups share a block buffer
{
    private const int Block = 64;
    private readonly SafeFileHandle _file;
    private readonly long[] _offsets, _counts;
    private readonly NGramRecord[]?[] _cached;
    private readonly long[][] _samples; // key of every Block-th record of an order that is not cached
    private readonly NGramRecord[] _block = new NGramRecord[Block];

    private NGramFileModel(string path, long[] counts, NGramRecord[]?[] cached, long[][] samples)
    {
        _counts = counts;
        _cached = cached;
        _samples = samples;
        _offsets = new long[counts.Length];
        long offset = NGramModelFile.HeaderBytes;
        for (int k = 0; k < counts.Length; k++) { _offsets[k] = offset; offset += counts[k] * RecordBytes; }
        _file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
    }

    private static int RecordBytes => Marshal.SizeOf<NGramRecord>();

    /// <summary>
    /// Opens the model's file after checking its header and checksum against <paramref name="counts"/> (the manifest's),
    /// reading the orders that fit <paramref name="cacheBytes"/> (lowest first) and sampling the rest in the same pass.
    /// </summary>
    public static NGramFileModel Open(string path, long[] counts, long cacheBytes)
    {
        var cached = new NGramRecord[]?[counts.Length];
        var samples = new long[counts.Length][];
        long budget = cacheBytes;
        NGramModelFile.ReadOrders(path, counts, (k, records) =>
        {
            if (records.Length > int.MaxValue)
                throw new InputException($"{path}: {records.Length:N0} {k}-grams: more than one order can index (2^31)");
            long bytes = (long)records.Length * RecordBytes;
            if (bytes <= budget) { cached[k - 1] = records.ToArray(); budget -= bytes; return; }
            budget = 0; // a higher order is larger: keep the cache to the lowest orders
            var sample = samples[k - 1] = new long[(records.Length + Block - 1) / Block];
            for (int b = 0; b < sample.Length; b++) sample[b] = records[(long)b * Block].SortKey();
        });
        return new NGramFileModel(path, counts, cached, samples);
    }

    public int Order => _counts.Length;

    /// <summary>Index of the n-gram of order <paramref name="order"/> with this last word and context index (its record in
    /// <paramref name="found"/>), or -1.</summary>
    public int Find(int order, int word, int context, out NGramRecord found)
    {
        long key = NGramRecord.SortKey(word, context);
        found = default;
        if (_cached[order - 1] is { } all) return Search(all, key, ref found);
        var sample = _samples[order - 1];
        int lo = 0, hi = sample.Length - 1, block = -1;
        while (lo <= hi) // the last block whose first key is at most the key
        {
            int mid = lo + ((hi - lo) >> 1);
            if (sample[mid] <= key) { block = mid; lo = mid + 1; } else hi = mid - 1;
        }
        if (block < 0) return -1;
        long first = (long)block * Block;
        int length = (int)Math.Min(Block, _counts[order - 1] - first);
        OrderRecords.ReadFully(_file, MemoryMarshal.AsBytes(_block.AsSpan(0, length)), _offsets[order - 1] + first * RecordBytes);
        int index = Search(_block.AsSpan(0, length), key, ref found);
        return index < 0 ? -1 : (int)first + index;
    }

    long INGramLookup.FindUnigram(int word, out float prob, out float backoff) =>
        ((INGramLookup)this).Find(1, word, 0, out prob, out backoff);

    long INGramLookup.Find(int order, int word, long context, out float prob, out float backoff)
    {
        int index = Find(order, word, (int)context, out var record);
        (prob, backoff) = (record.Prob, record.Backoff);
        return index;
    }

    /// <summary>Nothing left to check: <see cref="Open"/> verified the file's checksum.</summary>
    public void EnsureIntact() { }

    private static int Search(ReadOnlySpan<NGramRecord> records, long key, ref NGramRecord found)
    {
        int lo = 0, hi = records.Length - 1;
        while (lo <= hi)
        {
            int mid = lo + ((hi - lo) >> 1);
            long at = records[mid].SortKey();
            if (at == key) { found = records[mid]; return mid; }
            if (at < key) lo = mid + 1; else hi = mid - 1;
        }
        return -1;
    }

    public void Dispose() => _file.Dispose();
}
