using LmCompare.Core;
using LmCompare.Counting.Stores;

namespace LmCompare.Counting.NGrams.Streaming;

/// <summary>
/// The Kneser-Ney stages after count as sorted streams through files, for builds beyond --memory (Heafield et al. 2013):
/// <b>adjust</b> from the highest order down over the merged count runs (<see cref="StreamingAdjustStage"/>),
/// <b>discount</b> from its count-of-counts, <b>initial</b> per order through two external sorts
/// (<see cref="StreamingInitialStage"/>), and <b>interpolate</b> from the unigrams up while the model file is written
/// (<see cref="StreamingInterpolateStage"/>). Memory stays within the budget whatever the corpus size (sort buffers and
/// one context's n-grams), and the results equal the in-memory stages' bit for bit.
/// </summary>
internal sealed class StreamingEstimate(string workDirectory, KneserNeySettings settings, IProgress<ProgressReport>? progress)
{
    private readonly int _n = settings.Order;

    /// <summary>
    /// Runs stages adjust to initial (resuming after the last stage the ledger records when <paramref name="resume"/> and
    /// the fingerprint match) and returns the records, which stage interpolate makes as the store reads them.
    /// </summary>
    public ModelRecords Run(Func<CountRuns> counts, int[] quirk, int vocabularySize, string fingerprint, bool resume)
    {
        var ledger = resume ? ReadLedger() : null;
        if (ledger?.Fingerprint != fingerprint)
        {
            ledger = null;
            if (Directory.Exists(workDirectory)) Directory.Delete(workDirectory, recursive: true);
        }
        Directory.CreateDirectory(workDirectory);
        if (ledger is null)
        {
            var runs = counts();
            var adjust = new StreamingAdjustStage(workDirectory, _n, quirk, vocabularySize, settings.WholeVocabulary);
            adjust.Run(runs, progress);
            BuildMemory.Release();
            ledger = WriteLedger(new Ledger(fingerprint, adjust.NGramCounts, adjust.CountOfCounts, adjust.UnigramSum, adjust.UnigramByCount, []));
            runs.Delete();
        }
        var discounts = Enumerable.Range(1, _n)
            .Select(k => DiscountStage.FromCountOfCounts(ledger.CountOfCounts[k - 1], k, settings.DiscountFallback)).ToArray();
        RunInitial(ledger, discounts);
        var interpolate = new StreamingInterpolateStage(workDirectory, _n, discounts, ledger.NGramCounts, ledger.UnigramSum, ledger.UnigramByCount);
        return new ModelRecords(ledger.NGramCounts, discounts, NGramModelFile.Batches(ledger.NGramCounts, interpolate.Records()), null);
    }

    /// <summary>
    /// Stage initial for every order not done yet, as many orders at once as there are cores (at most two: each order is
    /// one thread's sorts, and the budget is split between them), the largest first; the ledger records each order done.
    /// </summary>
    private void RunInitial(Ledger ledger, Discount[] discounts)
    {
        var orders = Enumerable.Range(2, Math.Max(0, _n - 1)).Where(k => !ledger.InitialOrders.Contains(k)).Reverse().ToArray();
        int workers = Math.Clamp(Environment.ProcessorCount, 1, Math.Min(2, Math.Max(1, orders.Length)));
        var initial = new StreamingInitialStage(workDirectory, settings.MemoryBytes / workers);
        var gate = new object();
        int done = _n - 1 - orders.Length;
        Parallel.ForEach(orders, new ParallelOptions { MaxDegreeOfParallelism = workers }, k =>
        {
            initial.Run(k, discounts[k - 1]);
            GC.Collect(); // the order's sort buffers, before the next order allocates its own
            lock (gate)
            {
                ledger = WriteLedger(ledger with { InitialOrders = [.. ledger.InitialOrders, k] });
                progress?.Report(new ProgressReport("initial", ++done, _n - 1, "orders"));
            }
        });
        BuildMemory.Release();
    }

    /// <summary>What the stages so far left for the rest: written after each stage, under the build's fingerprint.</summary>
    private sealed record Ledger(string Fingerprint, long[] NGramCounts, long[][] CountOfCounts, long UnigramSum, long[] UnigramByCount,
        int[] InitialOrders);

    private string LedgerPath => Path.Combine(workDirectory, "ledger.json");

    private Ledger? ReadLedger() => LedgerFile.Read<Ledger>(LedgerPath);

    private Ledger WriteLedger(Ledger ledger) => LedgerFile.Write(LedgerPath, ledger);

    /// <summary>Count runs from a backend that hands its counts over by partition of the last word (memory, a cluster).</summary>
    public CountRuns RunsFromPartitions(Backends.ICountingBackend backend, int partitions)
    {
        Directory.CreateDirectory(workDirectory);
        var runs = new CountRuns(_n);
        for (int p = 0; p < partitions; p++)
        {
            progress?.Report(new ProgressReport("read counts", p, partitions, "partitions"));
            var tables = backend.ReadNGrams(_n, new Backends.LastWordPartition(p, partitions), progress);
            for (int k = 1; k <= _n; k++)
            {
                string path = Path.Combine(workDirectory, $"count-{k}-{p}.run");
                CountRuns.WriteRun(tables[k - 1], path);
                runs.Add(k, path);
            }
            BuildMemory.Release();
        }
        return runs;
    }
}
