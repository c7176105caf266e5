using LmCompare.Core;
using LmCompare.Counting.Backends;
using LmCompare.Counting.Backends.Memory;

namespace LmCompare.Counting.NGrams;

/// <summary>
/// A Kneser-Ney model of a token span, estimated and held in memory: the <see cref="KneserNeyPipeline"/> counting into
/// memory, for models built and thrown away in one process (learning curves, tests). <c>lmc ngram build</c> runs the
/// same pipeline through <see cref="NGramModelBuilder"/>, which also stores the model.
/// </summary>
public static class KneserNeyEstimator
{
    public static NGramModelData Estimate(int[] tokens, int vocabularySize, KneserNeySettings settings,
        IProgress<ProgressReport>? progress = null)
    {
        settings.Validate();
        using var counts = new MemoryCountingBackend();
        var job = new CountJob("memory", "", "", tokens.Length, VocabularySize: vocabularySize);
        counts.Begin(job, ExistingModel.Replace);
        var train = TrainingTokens.InMemory(tokens);
        NGramCounter.CountChunks(counts, train, settings.Order, 0, 0, tokens.Length, progress);
        var records = KneserNeyPipeline.Estimate(counts, train, vocabularySize, settings, partitions: 1, "", "", resume: false, progress);
        return records.Model!;
    }
}

/// <summary>An estimated (or ARPA-loaded) backoff model: one table per order, its discounts, KenLM's word order.</summary>
public sealed record NGramModelData(NGramTable[] Tables, Discount[] Discounts, int[] KenLmRank)
{
    public int Order => Tables.Length;

    /// <summary>Per order, each n-gram's context index in the order below (computed when not given).</summary>
    public int[][]? Contexts { get; set; }

    public int[] ContextsOf(int order)
    {
        Contexts ??= new int[Order][];
        return Contexts[order - 1] ??= InitialStage.ContextIndexes(Tables[order - 1], order == 1 ? null : Tables[order - 2]);
    }
}
