using LmCompare.Core;

namespace LmCompare.Evaluation.Metrics;

/// <param name="TrainingTokens">Training tokens the model had seen (a count model: the prefix it was built on).</param>
/// <param name="Perplexity">Validation perplexity (natural-log based, every token including &lt;/s&gt;).</param>
public sealed record CurvePoint(long TrainingTokens, double Perplexity);

/// <param name="Measure">What the perplexity is, in words (scope and how it was taken), so curves of different kinds are read honestly.</param>
public sealed record LearningCurve(string Model, string Kind, string Measure, IReadOnlyList<CurvePoint> Points);

/// <summary>
/// Perplexity against training tokens. Count models are rebuilt on prefixes of the training split (1/64, 1/32, ... 1)
/// by a builder the caller supplies, and scored on the validation split in sentence scope; the transformer's curve comes
/// from its own validation checkpoints. Seven points leave four degrees of freedom to a three-parameter law
/// (<see cref="PowerLawFit"/>).
/// </summary>
public static class LearningCurves
{
    public static readonly double[] Fractions = [1.0 / 64, 1.0 / 32, 1.0 / 16, 1.0 / 8, 1.0 / 4, 1.0 / 2, 1];

    public delegate ILanguageModel PrefixBuilder(int[] trainPrefix, DocumentIndex prefixDocuments);

    public static LearningCurve ForCountModel(string model, string kind, PrefixBuilder build, int[] train, DocumentIndex trainDocuments,
        int[] valid, DocumentIndex validDocuments, IProgress<ProgressReport>? progress = null)
    {
        var points = new List<CurvePoint>();
        foreach (double fraction in Fractions)
        {
            int prefix = (int)Math.Round(train.Length * fraction);
            if (prefix == 0) continue;
            progress?.Report(new ProgressReport($"learning curve {model}", points.Count, Fractions.Length, "prefixes"));
            using var built = build(train[..prefix], Prefix(trainDocuments, prefix));
            var meter = new PerplexityMeter();
            var logProbs = ModelEvaluator.LogProbs(built, valid, validDocuments, EvaluationScope.Sentence);
            for (int i = 0; i < logProbs.Length; i++) meter.Add(valid[i], logProbs[i]);
            points.Add(new CurvePoint(prefix, meter.Perplexity));
        }
        return new LearningCurve(model, kind, "validation perplexity, sentence scope, model rebuilt on a prefix of the training split", points);
    }

    /// <summary>The documents of the first <paramref name="tokens"/> training tokens (the last one cut there).</summary>
    public static DocumentIndex Prefix(DocumentIndex documents, long tokens)
    {
        var bounds = new List<long> { 0 };
        for (int d = 0; d < documents.Documents; d++)
        {
            var (_, end) = documents[d];
            if (end >= tokens) { bounds.Add(tokens); break; }
            bounds.Add(end);
        }
        if (bounds[^1] != tokens) bounds.Add(tokens);
        return new DocumentIndex([.. bounds]);
    }
}
