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

    /// <summary>Runs both analyses on a census of the training split.</summary>
    public static TrainingAnalysis Compute(int vocabularySize, TrainingCensus census, ReadOnlySpan<int> tokens, DocumentIndex documents)
    {
        var novelty = new ContextNoveltyAnalysis(census.NGrams).Buckets(tokens, documents, EvaluationScope.Sentence);
        var sparsity = SparsityAnalysis.Analyse(vocabularySize, census, tokens, documents);
        return new TrainingAnalysis(novelty, sparsity);
    }
}
