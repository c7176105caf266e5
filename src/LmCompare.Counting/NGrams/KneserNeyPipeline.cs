using LmCompare.Core;
using LmCompare.Counting.Backends;
using LmCompare.Counting.Backends.SortedRuns;
using LmCompare.Counting.NGrams.Streaming;

namespace LmCompare.Counting.NGrams;

/// <summary>
/// Interpolated modified Kneser-Ney as KenLM's lmplz computes it (Heafield et al. 2013), as one pipeline of stages:
/// <b>count</b> (<see cref="NGramCounter"/>, into whichever counting backend the build was handed: memory, sorted
/// runs or a cluster), <b>adjust</b> (<see cref="AdjustStage"/>), <b>discount</b> (<see cref="DiscountStage"/>),
/// <b>initial</b> (<see cref="InitialStage"/>) and <b>interpolate</b> (<see cref="InterpolateStage"/>). The stages after
/// count run on tables held in memory when the build fits --memory, else as sorted streams through files
/// (<see cref="StreamingEstimate"/>). Every path gives
/// the same n-grams with the same values, bit for bit; docs/ARCHITECTURE.md, "Kneser-Ney", has the data flow.
/// </summary>
public static class KneserNeyPipeline
{
    /// <summary>
    /// Stages adjust to interpolate over the counts in <paramref name="counts"/> (every padded window of
    /// <paramref name="train"/>, counted by <see cref="NGramCounter.CountChunks"/>, here or by shard workers).
    /// <paramref name="workDirectory"/> holds the streaming estimate's files when there is more than one partition.
    /// </summary>
    internal static ModelRecords Estimate(ICountingBackend counts, TrainingTokens train, int vocabularySize, KneserNeySettings settings,
        int partitions, string workDirectory, string fingerprint, bool resume, IProgress<ProgressReport>? progress)
    {
        var rank = NGramCounter.KenLmRanks(train, vocabularySize);
        var quirk = NGramCounter.LastPaddedWindow(train, settings.Order, rank);
        if (partitions == 1)
        {
            progress?.Report(new ProgressReport("read counts", 0, null, "n-grams"));
            var tables = counts.ReadNGrams(settings.Order, LastWordPartition.All, progress);
            return ModelRecords.From(InMemory(tables, quirk, rank, vocabularySize, settings, progress));
        }
        var estimate = new StreamingEstimate(workDirectory, settings, progress);
        return estimate.Run(() => counts is ICountRunSource source ? source.TakeRuns() : estimate.RunsFromPartitions(counts, partitions),
            quirk, vocabularySize, fingerprint, resume);
    }

    /// <summary>Stages adjust to interpolate on tables of raw counts held whole (one partition); the model stays in memory.</summary>
    private static NGramModelData InMemory(NGramTable[] tables, int[] quirk, int[] rank, int vocabularySize, KneserNeySettings settings,
        IProgress<ProgressReport>? progress)
    {
        int n = tables.Length;
        progress?.Report(new ProgressReport("adjust", 0, n, "orders"));
        var suffix = AdjustStage.Run(tables, LastWordPartition.All, vocabularySize, settings.WholeVocabulary);
        progress?.Report(new ProgressReport("discount", 0, n, "orders"));
        var discounts = new Discount[n];
        for (int k = 1; k <= n; k++)
        {
            var countOfCounts = new long[5];
            DiscountStage.AddCountOfCounts(tables[k - 1], k, n, quirk, countOfCounts);
            discounts[k - 1] = DiscountStage.FromCountOfCounts(countOfCounts, k, settings.DiscountFallback);
        }
        progress?.Report(new ProgressReport("interpolate", 0, n, "orders"));
        var contexts = InterpolateStage.Run(tables, suffix, discounts);
        return new NGramModelData(tables, discounts, rank) { Contexts = contexts };
    }
}
