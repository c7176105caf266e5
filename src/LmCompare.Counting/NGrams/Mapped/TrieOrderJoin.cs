using LmCompare.Counting.NGrams.Streaming;

namespace LmCompare.Counting.NGrams.Mapped;

/// <summary>
/// One order (2 and up) of <c>ngrams.trie</c> put in trie order by external sorts, for models whose index maps do not fit
/// the budget (<see cref="TrieOrderSorter"/> holds two orders' maps, 12 bytes per n-gram: 1.7 GB for the 200M-token
/// synthetic corpus's 4- and 5-grams). Every step is a sorted stream, so memory is the sorters' budget whatever the
/// order's size, and time is linear in the records (radix sorts, Heafield et al. 2013's way with every stage):
/// <list type="number">
/// <item>the order's records (context index, word, log10 p, log10 backoff, own index), sorted by context index;</item>
/// <item>joined, in that order, with the order below's trie index by index (a file read front to back), and sorted by
/// (context's trie index, word): trie order, written out as (word, log10 p, log10 backoff) with the run lengths of the
/// order below and the rank section's records, as <see cref="TrieOrderSorter"/> writes them;</item>
/// <item>each record's trie index, sorted by its own index: the file the order above joins with.</item>
/// </list>
/// The files are the same bytes <see cref="TrieOrderSorter"/> writes.
/// </summary>
internal sealed class TrieOrderJoin(string directory, string prefix, long memoryBytes, int rankPrefix)
{
    /// <summary>A file of one int per n-gram of an order, by its index in <c>ngrams.bin</c>: its trie index.</summary>
    public static void WriteIndex(string path, ReadOnlySpan<int> trieIndex)
    {
        using var writer = new RecordWriter(path, 1);
        writer.WriteMany(trieIndex);
    }

    /// <summary>Writes the trie-order and rank files of <paramref name="records"/>, the successors of each of the
    /// <paramref name="contexts"/> contexts (by trie index) to <paramref name="runsPath"/> and, unless null, each record's
    /// trie index to <paramref name="indexPath"/>; <paramref name="belowPath"/> holds the order below's trie indexes.
    /// Returns the longest run and the runs longer than the rank prefix.</summary>
    public (long Longest, long Ranked) Sort(OrderRecords records, string belowPath, long contexts, string orderPath, string ranksPath,
        string runsPath, string? indexPath)
    {
        using var byTrieIndex = new ExternalSorter(directory, prefix + ".by-trie-index", 5, 2, memoryBytes / 2, null, records.Length);
        using (var byContext = new ExternalSorter(directory, prefix + ".by-context", 5, 1, memoryBytes / 4, null, records.Length))
        {
            ByContext(records, byContext);
            using var sorted = byContext.Finish();
            Join(sorted, belowPath, byTrieIndex);
        }
        using var inTrieOrder = byTrieIndex.Finish();
        using var index = indexPath is null ? null
            : new ExternalSorter(directory, prefix + ".by-own-index", 2, 1, memoryBytes / 4, null, records.Length);
        var shape = Emit(inTrieOrder, contexts, orderPath, ranksPath, runsPath, index);
        if (index is not null) WriteOwnIndex(index, records.Length, indexPath!);
        return shape;
    }

    private static void ByContext(OrderRecords records, ExternalSorter byContext)
    {
        var block = new NGramRecord[1 << 14];
        for (long first = 0; first < records.Length; first += block.Length)
        {
            var span = block.AsSpan(0, (int)Math.Min(block.Length, records.Length - first));
            records.Read(first, span);
            for (int r = 0; r < span.Length; r++)
            {
                var slot = byContext.Next();
                (slot[0], slot[1], slot[4]) = (span[r].Context, span[r].Word, (int)(first + r));
                SuffixKey.SetFloat(slot, 2, span[r].Prob);
                SuffixKey.SetFloat(slot, 3, span[r].Backoff);
            }
        }
    }

    /// <summary>Replaces each record's context index by its context's trie index (both streams ascend in context index).</summary>
    private static void Join(IRecordSource sorted, string belowPath, ExternalSorter byTrieIndex)
    {
        using var below = new RecordReader(belowPath, 1);
        long at = -1;
        while (sorted.MoveNext())
        {
            var record = sorted.Current;
            while (at < record[0])
            {
                if (!below.MoveNext()) throw new InvalidDataException($"{belowPath}: an n-gram's context index {record[0]} is past the order below");
                at++;
            }
            var slot = byTrieIndex.Next();
            record.CopyTo(slot);
            slot[0] = below.Current[0];
        }
    }

    /// <summary>The order in trie order: its file of entries, the runs of the order below, the rank records.</summary>
    private (long Longest, long Ranked) Emit(IRecordSource inTrieOrder, long contexts, string orderPath, string ranksPath, string runsPath,
        ExternalSorter? index)
    {
        using var order = new RecordWriter(orderPath, 3);
        using var ranks = new RecordWriter(ranksPath, 1);
        using var runs = new RecordWriter(runsPath, 1);
        var run = new Run(rankPrefix);
        long trieIndex = 0, context = -1, longest = 0, ranked = 0;
        while (inTrieOrder.MoveNext())
        {
            var r = inTrieOrder.Current;
            if (r[0] != context)
            {
                if (run.Length > 0) (longest, ranked) = run.End(runs, ranks, longest, ranked);
                for (long c = context + 1; c < r[0]; c++) runs.Next()[0] = 0; // contexts without successors
                (context, run.First) = (r[0], trieIndex);
            }
            run.Add(SuffixKey.GetFloat(r, 2));
            var entry = order.Next();
            (entry[0], entry[1], entry[2]) = (r[1], r[2], r[3]);
            if (index is not null) { var slot = index.Next(); (slot[0], slot[1]) = (r[4], (int)trieIndex); }
            trieIndex++;
        }
        if (run.Length > 0) (longest, ranked) = run.End(runs, ranks, longest, ranked);
        for (long c = context + 1; c < contexts; c++) runs.Next()[0] = 0;
        return (Math.Max(1, longest), ranked);
    }

    private static void WriteOwnIndex(ExternalSorter index, long count, string path)
    {
        using var sorted = index.Finish();
        using var writer = new RecordWriter(path, 1);
        long expected = 0;
        while (sorted.MoveNext())
        {
            if (sorted.Current[0] != expected++) throw new InvalidDataException($"{path}: the order's indexes are not one per n-gram");
            writer.Next()[0] = sorted.Current[1];
        }
        if (expected != count) throw new InvalidDataException($"{path}: {expected} indexes for {count} n-grams");
    }

    /// <summary>One context's successors on their way out: their probabilities, for the rank records of a long run.</summary>
    private sealed class Run(int rankPrefix)
    {
        private ulong[] _keys = new ulong[64];
        public long First;
        public int Length;

        public void Add(float prob)
        {
            if (Length == _keys.Length) Array.Resize(ref _keys, 2 * _keys.Length);
            _keys[Length] = ((ulong)(uint.MaxValue - TrieOrderSorter.Orderable(prob)) << 32) | (uint)Length; // ties in trie order
            Length++;
        }

        /// <summary>Writes the run's length and, for a run longer than the prefix, its first index and best offsets.</summary>
        public (long Longest, long Ranked) End(RecordWriter runs, RecordWriter ranks, long longest, long ranked)
        {
            runs.Next()[0] = Length;
            if (Length > rankPrefix)
            {
                _keys.AsSpan(0, Length).Sort();
                ranks.Next()[0] = (int)(uint)First;
                for (int r = 0; r < rankPrefix; r++) ranks.Next()[0] = (int)(uint)_keys[r];
                ranked++;
            }
            (longest, Length) = (Math.Max(longest, Length), 0);
            return (longest, ranked);
        }
    }
}
