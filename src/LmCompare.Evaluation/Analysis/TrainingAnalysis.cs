using LmCompare.Core;
using LmCompare.Evaluation.Metrics;

namespace LmCompare.Evaluation.Analysis;

/// <summary>
/// What the protocol learns from the training data about one evaluated split: the context-novelty bucket k of every
/// position (sentence scope, <see cref="ContextNoveltyAnalysis"/>) and the sparsity tables (<see cref="SparsityAnalysis"/>).
/// Neither depends on a model: both are functions of the corpus, the split and the pair distances N, so a corpus keeps
/// them once computed (<see cref="TrainingAnalysisCache"/>) and every later evaluation on it scores models only.
/// </summary>
/// <param name="Novelty">k per position of the split, in split order.</param>
public sealed record TrainingAnalysis(byte[] Novelty, SparsityReport Sparsity)
{
    /// <summary>Read from the corpus's cache instead of computed by this run.</summary>
    public bool Cached { get; init; }

    /// <summary>Bytes <see cref="ComputeExact"/> takes per training token: the split's ids (4), and two kinds of keys at a
    /// time, each key (8 bytes) with its first position (4) and the sort's scratch copy of both (2 x 24); and room for a
    /// finished kind's arrays, which the collector frees a while after (debian-docs at 52 bytes per token peaked at
    /// 1,254 MiB RssAnon for a 967 MB estimate, ~150 MB of it the process and the vocabulary).</summary>
    public const long ExactBytesPerToken = 64;

    /// <summary>
    /// Both analyses from the training split held whole, a kind of key at a time (two at once, one per core): each kind's
    /// census (<see cref="KeyCensus"/>) answers what the analyses ask of it and is dropped before the next is made, so
    /// memory holds two kinds, not all 5 + N of them (<see cref="TrainingCensus.Exact"/>: 208 bytes per token).
    /// </summary>
    public static TrainingAnalysis ComputeExact(int vocabularySize, int[] train, DocumentIndex trainDocs, int distances, int[] tokens,
        DocumentIndex documents)
    {
        int orders = SparsityAnalysis.MaxOrder, kinds = orders + distances;
        var figures = new SparsityAnalysis.KindFigures[kinds];
        var seen = new bool[ContextNoveltyAnalysis.MaxK][];
        Parallel.For(0, kinds, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
        {
            bool pair = i >= orders;
            int size = pair ? i - orders + 1 : i + 1;
            var keys = pair ? KeyCensus.OfPairs(train, trainDocs, size) : KeyCensus.OfNGrams(train, trainDocs, size);
            figures[i] = SparsityAnalysis.Figures(keys, pair, size, train.Length, tokens, documents);
            if (!pair && size <= ContextNoveltyAnalysis.MaxK)
                seen[size - 1] = ContextNoveltyAnalysis.Seen(keys, size, tokens, documents, EvaluationScope.Sentence);
        });
        var sparsity = SparsityAnalysis.Report(vocabularySize, figures[..orders], figures[orders..], train.Length, estimated: false);
        return new TrainingAnalysis(ContextNoveltyAnalysis.Combine(seen), sparsity);
    }

    /// <summary>Runs both analyses on a census of the training split.</summary>
    public static TrainingAnalysis Compute(int vocabularySize, TrainingCensus census, int[] tokens, DocumentIndex documents)
    {
        var novelty = new ContextNoveltyAnalysis(census.NGrams).Buckets(tokens, documents, EvaluationScope.Sentence);
        var sparsity = SparsityAnalysis.Analyse(vocabularySize, census, tokens, documents);
        return new TrainingAnalysis(novelty, sparsity);
    }
}
