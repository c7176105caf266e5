using LmCompare.Core;

namespace LmCompare.Counting.NGrams.Streaming;

/// <summary>
/// Stage <b>initial</b> as a stream, for one order k &gt;= 2 (Heafield et al. 2013, section 3.3). Order k's adjusted records
/// are sorted by context (the first k-1 words, in suffix order, then the last word), so a context's n-grams are
/// neighbours and contexts come in the suffix order of order k - 1's stream: walking that stream alongside gives each
/// context its index there. Per context: the sum of its n-grams' Kneser-Ney counts, N1, N2, N3+, gamma, and its backoff
/// (log10 gamma) for order k - 1; per n-gram: its initial probability, its context's gamma and index, sorted back to suffix
/// order for stage interpolate. Two external sorts, each within a quarter of the memory budget (they overlap while one is
/// read and the other filled).
/// </summary>
public sealed class StreamingInitialStage(string directory, long memoryBytes)
{
    /// <summary>Order k's (key, adjusted count, initial, gamma, context index) records in suffix order (stride k + 5).</summary>
    public static string InitialPath(string directory, int k) => Path.Combine(directory, $"initial-{k}.bin");

    /// <summary>(index, log10 backoff) of every order-k n-gram that is a context, by index (stride 2).</summary>
    public static string BackoffPath(string directory, int k) => Path.Combine(directory, $"backoff-{k}.bin");

    public void Run(int k, Discount discount)
    {
        using var adjusted = new RecordReader(StreamingAdjustStage.AdjustedPath(directory, k), k + 2);
        // sorted on the context only: a context's n-grams need not be in any order among themselves
        using var byContext = new ExternalSorter(directory, $"context-{k}", k + 2, k - 1, memoryBytes / 4, null, adjusted.Records);
        while (adjusted.MoveNext())
        {
            var record = adjusted.Current;
            var slot = byContext.Next();
            record[1..k].CopyTo(slot);   // the context's key: the first k-1 words, reversed
            slot[k - 1] = record[0];     // then the last word
            record.Slice(k, 2).CopyTo(slot[k..]);
        }
        using var bySuffix = new ExternalSorter(directory, $"initial-{k}", k + 5, k, memoryBytes / 4, null, adjusted.Records);
        using (var sorted = byContext.Finish())
        using (var contexts = new RecordReader(StreamingAdjustStage.AdjustedPath(directory, k - 1), k + 1))
        using (var backoff = new RecordWriter(BackoffPath(directory, k - 1) + ".tmp", 2))
        {
            var group = new ContextGroup(k, discount);
            long contextIndex = -1;
            while (sorted.MoveNext())
            {
                var record = sorted.Current;
                if (group.Size > 0 && !group.SameContext(record))
                {
                    group.Flush(contextIndex, backoff, bySuffix);
                }
                if (group.Size == 0) contextIndex = FindContext(contexts, contextIndex, record[..(k - 1)]);
                group.Add(record);
            }
            if (group.Size > 0) group.Flush(contextIndex, backoff, bySuffix);
        }
        File.Move(BackoffPath(directory, k - 1) + ".tmp", BackoffPath(directory, k - 1), overwrite: true);
        bySuffix.FinishTo(InitialPath(directory, k));
    }

    /// <summary>Walks order k - 1's suffix-ordered stream on to the context's key; returns its index there.</summary>
    private static long FindContext(RecordReader contexts, long index, ReadOnlySpan<int> key)
    {
        while (contexts.MoveNext())
        {
            index++;
            if (contexts.Current[..key.Length].SequenceEqual(key)) return index;
        }
        throw new InvalidDataException($"a {key.Length + 1}-gram's context is missing from the {key.Length}-grams " +
            "(the estimate's files are damaged)");
    }

    /// <summary>The n-grams of one context, held until their sums are known.</summary>
    private sealed class ContextGroup(int k, Discount discount)
    {
        private int[] _records = new int[64 * (k + 2)];
        private readonly long[] _byCount = new long[4];
        private long _sum;

        public int Size { get; private set; }

        public bool SameContext(ReadOnlySpan<int> record) => record[..(k - 1)].SequenceEqual(_records.AsSpan(0, k - 1));

        public void Add(ReadOnlySpan<int> record)
        {
            if ((Size + 1) * (k + 2) > _records.Length) Array.Resize(ref _records, _records.Length * 2);
            record.CopyTo(_records.AsSpan(Size++ * (k + 2)));
            long count = SuffixKey.GetLong(record, k);
            _sum += count;
            if (count > 0) _byCount[Math.Min(count, 3)]++;
        }

        /// <summary>The context's backoff, and each n-gram's initial probability, gamma and context index (back in suffix layout).</summary>
        public void Flush(long contextIndex, RecordWriter backoff, ExternalSorter bySuffix)
        {
            var (denominator, gamma) = InitialStage.ContextValues(_sum, _byCount, discount);
            var entry = backoff.Next();
            entry[0] = checked((int)contextIndex);
            SuffixKey.SetFloat(entry, 1, InterpolateStage.Log10Backoff(denominator, gamma, _records[0]));
            for (int i = 0; i < Size; i++)
            {
                var record = _records.AsSpan(i * (k + 2), k + 2);
                var slot = bySuffix.Next();
                slot[0] = record[k - 1];
                record[..(k - 1)].CopyTo(slot[1..]);
                long count = SuffixKey.GetLong(record, k);
                SuffixKey.SetLong(slot, k, count);
                SuffixKey.SetFloat(slot, k + 2, InitialStage.Initial(discount, count, denominator));
                SuffixKey.SetFloat(slot, k + 3, gamma);
                slot[k + 4] = checked((int)contextIndex);
            }
            Size = 0;
            _sum = 0;
            Array.Clear(_byCount);
        }
    }
}
