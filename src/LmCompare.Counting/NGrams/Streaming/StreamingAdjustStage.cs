using LmCompare.Core;

namespace LmCompare.Counting.NGrams.Streaming;

/// <summary>
/// Stage <b>adjust</b> as a stream (Heafield et al. 2013, section 3.2), from the highest order down. Order k's n-grams
/// arrive in suffix order as the merge of its raw counts (n-grams counted straight into order k: the highest order and
/// those that start with &lt;s&gt;, whose Kneser-Ney count is the raw count) and of the suffixes derived from order k + 1
/// (a disjoint set: their first word is never &lt;s&gt;). In suffix order the n-grams that share their (k-1)-suffix are
/// neighbours, so one pass gives that suffix's raw count (the sum) and its Kneser-Ney count (how many there are): the
/// derived stream of order k - 1. Each order leaves (key, adjusted count) records in suffix order, its n-gram count and
/// its count-of-counts for stage discount; the unigrams' sums for stage initial.
/// </summary>
public sealed class StreamingAdjustStage(string directory, int order, int[] quirk, int vocabularySize, bool wholeVocabulary)
{
    private const int Bos = SpecialTokens.SentenceStartId, Unk = SpecialTokens.UnknownId;

    /// <summary>Order k's (key, adjusted count) records in suffix order.</summary>
    public static string AdjustedPath(string directory, int k) => Path.Combine(directory, $"adjusted-{k}.bin");

    public long[] NGramCounts { get; } = new long[order];
    public long[][] CountOfCounts { get; } = Enumerable.Range(0, order).Select(_ => new long[5]).ToArray();
    public long UnigramSum { get; private set; }
    public long[] UnigramByCount { get; } = new long[4]; // N1, N2, N3+ of the unigrams (index 0 unused)

    /// <summary>
    /// Every order's pass at once, each on its own thread: order k's pass hands the derived stream of order k - 1 to
    /// that order's pass through a pipe in memory (<see cref="RecordPipe"/>), so the passes overlap on the cores and the
    /// derived streams never reach the disk. A failing pass cancels the others.
    /// </summary>
    public void Run(CountRuns counts, IProgress<ProgressReport>? progress)
    {
        progress?.Report(new ProgressReport("adjust", 0, order, "orders"));
        using var cancel = new CancellationTokenSource();
        var pipes = new RecordPipe?[order + 1]; // pipes[k]: the derived stream of order k, from order k + 1's pass
        for (int k = 1; k < order; k++) pipes[k] = new RecordPipe(k + 4, cancel.Token);
        int done = 0;
        var passes = Enumerable.Range(1, order).Select(k => Task.Factory.StartNew(() =>
        {
            try
            {
                var inputs = new List<IRecordSource> { new WidenedCounts(counts.Merged(k)) };
                if (k < order) inputs.Add(new RecordPipe.Reader(pipes[k]!));
                if (k == 1) inputs.Add(ExtraUnigrams());
                var derived = k > 1 ? new RecordPipe.Writer(pipes[k - 1]!) : null;
                using (var merged = new RecordMerge(inputs, k, SuffixKey.AddRawAndAdjusted(k))) AdjustOrder(k, merged, derived);
                derived?.Dispose(); // the stream's end, only for a pass that finished: a failed one cancels its reader instead
                lock (cancel) progress?.Report(new ProgressReport("adjust", ++done, order, "orders"));
            }
            catch
            {
                cancel.Cancel();
                throw;
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        try { Task.WaitAll(passes); }
        catch (AggregateException) // the first failure, not the cancellations it caused
        {
            var failures = passes.Where(p => p.IsFaulted).SelectMany(p => p.Exception!.InnerExceptions).ToList();
            var cause = failures.FirstOrDefault(e => e is not OperationCanceledException) ?? failures[0];
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(cause).Throw();
        }
        finally
        {
            foreach (var pipe in pipes) pipe?.Dispose();
        }
    }

    /// <summary>One pass over order k: its adjusted records, its count-of-counts, and the derived stream of order k - 1.</summary>
    private void AdjustOrder(int k, RecordMerge merged, RecordPipe.Writer? derived)
    {
        var quirkKey = QuirkKey(k);
        using var adjusted = new RecordWriter(AdjustedPath(directory, k), k + 2);
        var group = new int[k + 3]; // the (k-1)-suffix being derived: key, raw, adjusted
        bool inGroup = false;
        var countOfCounts = CountOfCounts[k - 1];
        long ngrams = 0;
        while (merged.MoveNext())
        {
            var record = merged.Current;
            long raw = SuffixKey.GetLong(record, k), kneserNey = SuffixKey.GetLong(record, k + 2);
            var output = adjusted.Next();
            record[..k].CopyTo(output);
            SuffixKey.SetLong(output, k, kneserNey);
            if (++ngrams > int.MaxValue) // an n-gram names its context by a 32-bit index (NGramRecord)
                throw new InputException($"more than {int.MaxValue:N0} distinct {k}-grams: the model file indexes at most 2^31 - 1 per order; " +
                    "build a lower order or on less data");
            long forDiscount = quirkKey is not null && record[..k].SequenceEqual(quirkKey) ? raw : kneserNey;
            if (forDiscount < 5) countOfCounts[forDiscount]++;
            if (k == 1) AddUnigram(kneserNey);
            if (derived is null) continue;
            if (inGroup && record[..(k - 1)].SequenceEqual(group.AsSpan(0, k - 1)))
            {
                SuffixKey.SetLong(group, k - 1, SuffixKey.GetLong(group, k - 1) + raw);
                SuffixKey.SetLong(group, k + 1, SuffixKey.GetLong(group, k + 1) + 1);
                continue;
            }
            if (inGroup) derived.Write(group);
            record[..(k - 1)].CopyTo(group);
            SuffixKey.SetLong(group, k - 1, raw);
            SuffixKey.SetLong(group, k + 1, 1);
            inGroup = true;
        }
        if (inGroup) derived!.Write(group);
        NGramCounts[k - 1] = ngrams;
    }

    private void AddUnigram(long kneserNey)
    {
        UnigramSum += kneserNey;
        if (kneserNey > 0) UnigramByCount[Math.Min(kneserNey, 3)]++;
    }

    /// <summary>
    /// The key of the n-gram of order k that lmplz counts with its raw count (see <see cref="DiscountStage.AddCountOfCounts"/>),
    /// or null where there is none.
    /// </summary>
    private int[]? QuirkKey(int k) =>
        k < order && (k < 2 || quirk[order - k + 1] != Bos) ? SuffixKey.FromWords(quirk.AsSpan(order - k)) : null;

    /// <summary>&lt;unk&gt; and &lt;s&gt; (lmplz's vocabulary always has them) and, with the whole vocabulary, every id: count 0
    /// where the counts have none.</summary>
    private ArrayRecords ExtraUnigrams()
    {
        var ids = wholeVocabulary ? Enumerable.Range(0, vocabularySize).ToArray() : new[] { Unk, Bos }.Order().ToArray();
        var records = new int[ids.Length * 5];
        for (int i = 0; i < ids.Length; i++) records[i * 5] = ids[i];
        return new ArrayRecords(records, records.Length, 5);
    }

    /// <summary>Raw count records (key, raw) as adjust records (key, raw, adjusted = raw).</summary>
    private sealed class WidenedCounts(IRecordSource counts) : IRecordSource
    {
        private readonly int[] _current = new int[counts.Stride + 2];

        public int Stride => _current.Length;
        public ReadOnlySpan<int> Current => _current;

        public bool MoveNext()
        {
            if (!counts.MoveNext()) return false;
            counts.Current.CopyTo(_current);
            counts.Current[^2..].CopyTo(_current.AsSpan(_current.Length - 2));
            return true;
        }

        public void Dispose() => counts.Dispose();
    }
}
