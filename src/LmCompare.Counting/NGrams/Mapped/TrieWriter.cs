using System.Buffers.Binary;
using System.Runtime.InteropServices;
using LmCompare.Core;

namespace LmCompare.Counting.NGrams.Mapped;

/// <summary>
/// Writes <c>ngrams.trie</c> (<see cref="TrieFormat"/>) from an <c>ngrams.bin</c> (its checksum is not read again), whose
/// orders are in suffix order (last word, context), taken order by order as they are written (<see cref="ModelFileOrders"/>:
/// the build runs this beside stage store): each order is re-sorted by (context's trie index, word) a band of contexts at
/// a time (<see cref="TrieOrderSorter"/>, bands sized exactly from the run lengths), into a temporary file of (word,
/// log10 p, log10 backoff) in trie order; the order below is written once this order's run lengths, its successor
/// pointers, are known. The header, which holds the longest run of every order, is written last and the checksum then
/// read through the file. Memory: two orders' index maps and run lengths (12 bytes per n-gram of the larger) and one
/// band. The bytes depend on the model only. Written under a temporary name and renamed whole.
/// </summary>
internal static class TrieWriter
{
    /// <summary>From the finished model file <paramref name="source"/>.</summary>
    public static void Write(string source, long[] counts, int vocabulary, string target, long memoryBytes = 1L << 30,
        long minimumBandBytes = ProbingWriter.MinimumBandBytes, int rankPrefix = TrieFormat.DefaultRankPrefix,
        int unigramPrefix = TrieFormat.DefaultUnigramPrefix, bool? byBuckets = null)
    {
        using var orders = ModelFileOrders.Finished(source, counts);
        Write(orders, counts, vocabulary, target, memoryBytes, minimumBandBytes, rankPrefix, unigramPrefix, byBuckets);
    }

    /// <param name="memoryBytes">What the writer may hold beyond the index maps: one band of records (40 bytes each), the
    /// band no smaller than <paramref name="minimumBandBytes"/>; or, when the maps do not fit (<see cref="MapsFit"/>), the
    /// budget of <see cref="TrieOrderBuckets"/>.</param>
    /// <param name="rankPrefix">Records ranked per run and (<paramref name="unigramPrefix"/>) ids by unigram (tests make them
    /// small so the scans that stand in for a ranking are exercised).</param>
    /// <param name="byBuckets">Sort by <see cref="TrieOrderBuckets"/> (true) or <see cref="TrieOrderSorter"/> over the model file (false) whatever
    /// the budget (tests: both give the same bytes).</param>
    public static void Write(ModelFileOrders orders, long[] counts, int vocabulary, string target, long memoryBytes = 1L << 30,
        long minimumBandBytes = ProbingWriter.MinimumBandBytes, int rankPrefix = TrieFormat.DefaultRankPrefix,
        int unigramPrefix = TrieFormat.DefaultUnigramPrefix, bool? byBuckets = null)
    {
        int n = counts.Length;
        string source = orders.Path, temp = target + ".tmp";
        if (counts.Any(c => c > int.MaxValue)) // the sorts number an order's records with int32s, as the rank section does
            throw new InputException($"{source}: an order has more than 2^31 n-grams, more than the trie format holds");
        var (longest, ranked) = (new long[n], new long[n]); // the header's shape, known once every order is sorted
        (longest[0], ranked[0]) = (vocabulary, Math.Min(vocabulary, unigramPrefix));
        var buckets = byBuckets ?? !MapsFit(counts, vocabulary, memoryBytes, minimumBandBytes)
            ? new TrieOrderBuckets(Path.GetDirectoryName(Path.GetFullPath(target))!, Path.GetFileName(target), memoryBytes, rankPrefix, counts)
            : null;
        var temps = new List<string>();
        string Temp(string part) { temps.Add(target + $".{part}.tmp"); return temps[^1]; }
        TrieIndexSlices? belowIndex = null; // with the buckets: the order below's trie indexes
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 20))
            {
                stream.Write(new byte[TrieFormat.HeaderBytes]); // its place: it is written last
                var output = new HashedOutput(stream, hash: false);
                int[] below = [];
                UnigramEntry[] unigrams = [];
                var band = new TrieOrderSorter.Band();
                string? previous = null; // the order below, in trie order, waiting for its successor pointers
                // writes the order below with its successor pointers, now that this order's run lengths are known
                void WriteBelow(int k, RunLengths runs)
                {
                    if (k == 2) WriteUnigrams(output, unigrams, runs.ToArray(vocabulary));
                    else WriteMiddle(output, previous!, counts, k - 1, vocabulary, runs, source);
                }
                for (int k = 1; k <= n; k++)
                {
                    // the buckets' distribution reads an order front to back: it runs behind stage store as it writes it
                    var records = buckets is not null && k > 1 ? orders.Streaming(k) : orders.Order(k);
                    if (k == 1)
                    {
                        (unigrams, below) = Unigrams(records, vocabulary, source);
                        if (buckets is null) continue;
                        belowIndex = buckets.Index(1, below.Length);
                        belowIndex.AddMap(below);
                        belowIndex.Complete();
                        below = [];
                        continue;
                    }
                    string order = Temp($"order{k}"), ranks = Temp($"ranks{k}");
                    long contexts = k == 2 ? vocabulary : counts[k - 2];
                    if (buckets is not null)
                    {
                        string runsPath = Temp($"runs{k}");
                        var own = k < n ? buckets.Index(k, counts[k - 1]) : null; // the top order has no order above to need its indexes
                        try { (longest[k - 1], ranked[k - 1]) = buckets.Sort(records, belowIndex!, contexts, order, ranks, runsPath, own); }
                        catch { own?.Dispose(); throw; }
                        belowIndex!.Dispose();
                        belowIndex = own;
                        using (var runs = new RunLengths(null, runsPath)) WriteBelow(k, runs);
                        File.Delete(runsPath);
                    }
                    else
                    {
                        var lengths = RunLengths.Count(records, below, (int)contexts);
                        (longest[k - 1], ranked[k - 1]) = (Math.Max(1, lengths.Length == 0 ? 0 : lengths.Max()), lengths.Count(r => r > rankPrefix));
                        using (var runs = new RunLengths(lengths, null)) WriteBelow(k, runs);
                        long bandBytes = Math.Max(minimumBandBytes, memoryBytes - 12L * Math.Max(records.Length, below.Length));
                        below = TrieOrderSorter.Sort(records, below, lengths, band, rankPrefix, order, ranks, bandBytes, keepIndex: k < n);
                    }
                    previous = order;
                }
                if (n == 1) WriteUnigrams(output, unigrams, new int[vocabulary]);
                else WriteTop(output, previous!, n, vocabulary, source);
                for (int k = 2; k <= n; k++)
                {
                    int firstBits = TrieFormat.BitsFor(counts[k - 1]), rankBits = TrieFormat.BitsFor(longest[k - 1]);
                    WriteRanks(output, target + $".ranks{k}.tmp", firstBits, rankBits, rankPrefix);
                }
                WriteUnigramRanking(output, unigrams, (int)ranked[0]);
                var shape = new TrieFormat.Shape(longest, ranked, rankPrefix);
                long end = stream.Position;
                stream.Position = 0;
                stream.Write(TrieFormat.Header(counts, shape, vocabulary, orders.Checksum()));
                WriteChecksum(stream, end);
            }
            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            belowIndex?.Dispose();
            foreach (string t in temps) File.Delete(t);
            File.Delete(temp);
        }
    }

    /// <summary>The XxHash3 of the file's first <paramref name="length"/> bytes (header included), read back, as its trailer.</summary>
    private static void WriteChecksum(FileStream stream, long length)
    {
        Span<byte> trailer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(trailer, HashedOutput.Rehash(stream, length));
        stream.Position = length;
        stream.Write(trailer);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>
    /// Whether <see cref="TrieOrderSorter"/> fits the budget for every order: two orders' index maps and run lengths (12
    /// bytes per n-gram of the larger) beside a band of at least the minimum, and the order in at most four bands (each
    /// band is a pass over the order). Else <see cref="TrieOrderBuckets"/> sorts within the budget whatever the size.
    /// </summary>
    internal static bool MapsFit(long[] counts, int vocabulary, long memoryBytes, long minimumBandBytes)
    {
        for (int k = 2; k <= counts.Length; k++)
        {
            long maps = 12L * Math.Max(counts[k - 1], k == 2 ? Math.Max(vocabulary, counts[0]) : counts[k - 2]);
            long band = memoryBytes - maps;
            if (band < minimumBandBytes || 40L * counts[k - 1] > 4 * band) return false;
        }
        return true;
    }

    /// <summary>Unigrams by word id, and each unigram record's trie index (its word id).</summary>
    private static (UnigramEntry[], int[]) Unigrams(OrderRecords records, int vocabulary, string source)
    {
        var table = new UnigramEntry[vocabulary];
        table.AsSpan().Fill(new UnigramEntry(float.NaN, 0f));
        var index = new int[records.Length];
        for (long i = 0; i < records.Length; i++)
        {
            var record = records[i];
            if ((uint)record.Word >= (uint)vocabulary)
                throw new InputException($"{source}: unigram {i} has word id {record.Word}, outside the vocabulary");
            table[record.Word] = new UnigramEntry(record.Prob, record.Backoff);
            index[i] = record.Word;
        }
        return (table, index);
    }

    private static void WriteUnigrams(HashedOutput output, UnigramEntry[] unigrams, int[] runs)
    {
        var entries = new TrieUnigram[unigrams.Length + 1];
        uint next = 0;
        for (int w = 0; w < unigrams.Length; w++)
        {
            entries[w] = new TrieUnigram(unigrams[w].Prob, unigrams[w].Backoff, next);
            next += (uint)(w < runs.Length ? runs[w] : 0);
        }
        entries[^1] = new TrieUnigram(0f, 0f, next);
        output.Append(MemoryMarshal.AsBytes(entries.AsSpan()));
        output.Pad();
    }

    /// <summary>Order <paramref name="k"/> from its trie-order file, each record with the index of its first successor.</summary>
    private static void WriteMiddle(HashedOutput output, string order, long[] counts, int k, int vocabulary, RunLengths runs, string source)
    {
        var bits = new BitWriter(output);
        int wordBits = TrieFormat.BitsFor(vocabulary), nextBits = TrieFormat.BitsFor(counts[k] + 1);
        long next = 0;
        ForEachBlock<TrieOrderEntry>(order, block =>
        {
            foreach (var e in block)
            {
                bits.Write((uint)e.Word, wordBits);
                bits.Prob(NonPositive(e.Prob, k, source));
                bits.Float(e.Backoff);
                bits.Write((ulong)next, nextBits);
                next += runs.Next();
            }
        });
        bits.Write(0, wordBits);
        bits.Prob(0f);
        bits.Float(0f);
        bits.Write((ulong)next, nextBits);
        bits.EndSection();
        File.Delete(order);
    }

    private static void WriteTop(HashedOutput output, string order, int k, int vocabulary, string source)
    {
        var bits = new BitWriter(output);
        int wordBits = TrieFormat.BitsFor(vocabulary);
        ForEachBlock<TrieOrderEntry>(order, block =>
        {
            foreach (var e in block)
            {
                bits.Write((uint)e.Word, wordBits);
                bits.Prob(NonPositive(e.Prob, k, source));
            }
        });
        bits.EndSection();
        File.Delete(order);
    }

    /// <summary>The log10 p of an n-gram, which the trie stores without a sign bit.</summary>
    private static float NonPositive(float prob, int k, string source) => prob <= 0f ? prob
        : throw new InputException($"{source}: a {k}-gram has log10 p {prob} (a probability above 1 or not a number); the model cannot be stored");

    /// <summary>The ranked-run records of an order: each run's first index, then its prefix's offsets (the temporary file
    /// holds them as 1 + P uints per ranked run).</summary>
    private static void WriteRanks(HashedOutput output, string ranks, int firstBits, int rankBits, int rankPrefix)
    {
        var bits = new BitWriter(output);
        long i = 0;
        ForEachBlock<uint>(ranks, block =>
        {
            foreach (uint r in block) bits.Write(r, i++ % (rankPrefix + 1) == 0 ? firstBits : rankBits);
        });
        bits.EndSection();
        File.Delete(ranks);
    }

    /// <summary>A temporary file of <typeparamref name="T"/>s (as the machine wrote them), a block at a time.</summary>
    private static void ForEachBlock<T>(string path, Action<ReadOnlySpan<T>> onBlock) where T : unmanaged
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None, 1);
        var block = new T[1 << 16];
        var bytes = MemoryMarshal.AsBytes(block.AsSpan());
        int read, size = Marshal.SizeOf<T>();
        while ((read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false)) > 0) onBlock(block.AsSpan(0, read / size));
    }

    /// <summary>The <paramref name="prefix"/> first ids by decreasing unigram log10 p (an id with no unigram scores as
    /// &lt;unk&gt;, as the query does), ties by id.</summary>
    private static void WriteUnigramRanking(HashedOutput output, UnigramEntry[] unigrams, int prefix)
    {
        float unk = float.IsNaN(unigrams[SpecialTokens.UnknownId].Prob) ? -99f : unigrams[SpecialTokens.UnknownId].Prob;
        var keys = new ulong[unigrams.Length];
        for (int w = 0; w < keys.Length; w++)
            keys[w] = ((ulong)(uint.MaxValue - TrieOrderSorter.Orderable(float.IsNaN(unigrams[w].Prob) ? unk : unigrams[w].Prob)) << 32) | (uint)w;
        Array.Sort(keys);
        var bits = new BitWriter(output);
        int wordBits = TrieFormat.BitsFor(unigrams.Length);
        for (int r = 0; r < prefix; r++) bits.Write((uint)keys[r], wordBits);
        bits.EndSection();
    }

    /// <summary>The successors of each context of an order in trie order, one at a time: from an array (counted by
    /// <see cref="Count"/>) or from the file <see cref="TrieOrderBuckets"/> wrote.</summary>
    private sealed class RunLengths(int[]? all, string? path) : IDisposable
    {
        private readonly Streaming.RecordReader? _file = path is null ? null : new Streaming.RecordReader(path, 1);
        private long _at;

        public int Next() => all is not null ? all[_at++]
            : _file!.MoveNext() ? _file.Current[0] : throw new InvalidDataException($"{path}: fewer run lengths than contexts");

        /// <summary>All of them (the unigrams': one per id).</summary>
        public int[] ToArray(int contexts)
        {
            if (all is not null) return all;
            var lengths = new int[contexts];
            for (int c = 0; c < contexts; c++) lengths[c] = Next();
            return lengths;
        }

        /// <summary>Successors of each context of the order below (indexed by its trie index when <paramref name="below"/>
        /// maps them there, else by its index in <c>ngrams.bin</c>).</summary>
        public static int[] Count(OrderRecords records, int[]? below, int contexts)
        {
            var runs = new int[contexts];
            var block = new NGramRecord[1 << 14];
            foreach (var (_, length) in records.Blocks(block))
                foreach (var r in block.AsSpan(0, length)) runs[below is null ? r.Context : below[r.Context]]++;
            return runs;
        }

        public void Dispose() => _file?.Dispose();
    }
}
