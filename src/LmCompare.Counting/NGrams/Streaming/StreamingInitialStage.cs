using LmCompare.Core;

namespace LmCompare.Counting.NGrams.Streaming;

/// <summary>
/// Stage <b>initial</b> as a stream, for one order k &gt;= 2 (Heafield et al. 2013, section 3.3). Order k's adjusted records
/// are sorted by context (the first k-1 words, in suffix order, then the last word), so a context's n-grams are
/// neighbours and contexts come in the suffix order of order k - 1's stream: walking that stream alongside gives each
/// context its index there. Per context: the sum of its n-grams' Kneser-Ney counts, N1, N2, N3+, gamma, and its backoff
/// (log10 gamma) for order k - 1; per n-gram: its initial probability, its context's gamma and index, put back in suffix
/// order for stage interpolate. Each n-gram carries its position in the suffix-ordered input through the sort by context,
/// so going back is a sort of (position, three values) on the one key int: two radix passes of 16 bytes per n-gram
/// instead of a pass per 16 bits of a k-word key, and stage interpolate reads the values beside the adjusted records
/// (kept until the model is stored) instead of a second copy of the keys and counts. Two
/// external sorts, each within a quarter of the memory budget (they overlap while one is read and the other filled).
/// </summary>
public sealed class StreamingInitialStage(string directory, long memoryBytes)
{
    /// <summary>Order k's (initial, gamma, context index) in suffix order (stride 3): the values of the n-grams of
    /// <see cref="StreamingAdjustStage.AdjustedPath"/>, record for record.</summary>
    public static string InitialPath(string directory, int k) => Path.Combine(directory, $"initial-{k}.bin");

    /// <summary>(index, log10 backoff) of every order-k n-gram that is a context, by index (stride 2).</summary>
    public static string BackoffPath(string directory, int k) => Path.Combine(directory, $"backoff-{k}.bin");

    public void Run(int k, Discount discount)
    {
        string input = StreamingAdjustStage.AdjustedPath(directory, k);
        using var adjusted = new RecordReader(input, k + 2);
        // sorted on the context only: a context's n-grams need not be in any order among themselves
        using var byContext = new ExternalSorter(directory, $"context-{k}", k + 3, k - 1, memoryBytes / 4, null, adjusted.Records);
        for (int position = 0; adjusted.MoveNext(); position++) // below 2^31: stage adjust refuses more n-grams per order
        {
            var record = adjusted.Current;
            var slot = byContext.Next();
            record[1..k].CopyTo(slot);   // the context's key: the first k-1 words, reversed
            slot[k - 1] = record[0];     // then the last word
            record.Slice(k, 2).CopyTo(slot[k..]);
            slot[k + 2] = position;
        }
        using var byPosition = new ExternalSorter(directory, $"initial-{k}", ContextGroup.ValueStride, 1, memoryBytes / 4, null, adjusted.Records);
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
                    group.Flush(contextIndex, backoff, byPosition);
                }
                if (group.Size == 0) contextIndex = FindContext(contexts, contextIndex, record[..(k - 1)]);
                group.Add(record);
            }
            if (group.Size > 0) group.Flush(contextIndex, backoff, byPosition);
        }
        File.Move(BackoffPath(directory, k - 1) + ".tmp", BackoffPath(directory, k - 1), overwrite: true);
        WriteInitial(k, input, byPosition, adjusted.Records);
    }

    /// <summary>Order k's initial values in suffix order, checked against the positions: one value for each of the
    /// <paramref name="ngrams"/> n-grams of the input.</summary>
    private void WriteInitial(int k, string input, ExternalSorter byPosition, long ngrams)
    {
        string path = InitialPath(directory, k);
        long records;
        using (var values = byPosition.Finish())
        using (var writer = new RecordWriter(path + ".tmp", ContextGroup.ValueStride - 1))
        {
            for (int position = 0; values.MoveNext(); position++)
            {
                if (values.Current[0] != position)
                    throw new InvalidDataException($"{input}: the {k}-grams' positions do not match their values " +
                        "(the estimate's files are damaged)");
                writer.Write(values.Current[1..]);
            }
            records = writer.Records;
        }
        if (records != ngrams)
            throw new InvalidDataException($"{input}: a {k}-gram has no initial values (the estimate's files are damaged)");
        File.Move(path + ".tmp", path, overwrite: true);
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

    /// <summary>The n-grams of one context (context key, last word, adjusted count, suffix position), held until their
    /// sums are known.</summary>
    private sealed class ContextGroup(int k, Discount discount)
    {
        /// <summary>(suffix position, initial probability, gamma, context index): what stage interpolate needs per n-gram
        /// beyond its key and count.</summary>
        public const int ValueStride = 4;

        private readonly int _stride = k + 3;
        private int[] _records = new int[64 * (k + 3)];
        private readonly long[] _byCount = new long[4];
        private long _sum;

        public int Size { get; private set; }

        public bool SameContext(ReadOnlySpan<int> record) => record[..(k - 1)].SequenceEqual(_records.AsSpan(0, k - 1));

        public void Add(ReadOnlySpan<int> record)
        {
            if ((Size + 1) * _stride > _records.Length) Array.Resize(ref _records, _records.Length * 2);
            record.CopyTo(_records.AsSpan(Size++ * _stride));
            long count = SuffixKey.GetLong(record, k);
            _sum += count;
            if (count > 0) _byCount[Math.Min(count, 3)]++;
        }

        /// <summary>The context's backoff, and each n-gram's initial probability, gamma and context index by its position.</summary>
        public void Flush(long contextIndex, RecordWriter backoff, ExternalSorter byPosition)
        {
            var (denominator, gamma) = InitialStage.ContextValues(_sum, _byCount, discount);
            var entry = backoff.Next();
            entry[0] = checked((int)contextIndex);
            SuffixKey.SetFloat(entry, 1, InterpolateStage.Log10Backoff(denominator, gamma, _records[0]));
            for (int i = 0; i < Size; i++)
            {
                var record = _records.AsSpan(i * _stride, _stride);
                var slot = byPosition.Next();
                slot[0] = record[k + 2];
                SuffixKey.SetFloat(slot, 1, InitialStage.Initial(discount, SuffixKey.GetLong(record, k), denominator));
                SuffixKey.SetFloat(slot, 2, gamma);
                slot[3] = checked((int)contextIndex);
            }
            Size = 0;
            _sum = 0;
            Array.Clear(_byCount);
        }
    }
}
