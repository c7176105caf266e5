using LmCompare.Corpus.Models;
using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Counting.NGrams;
using LmCompare.Counting.Pairs;
using LmCompare.Evaluation.Metrics;
using LmCompare.Transformer;

namespace LmCompare.Cli.Comparison;

/// <summary>
/// The learning curve of each kind of model: the count models rebuilt in memory on prefixes of the training split (the
/// evaluator scores them), the transformer's own validation checks read from its manifest.
/// </summary>
public static class LearningCurveSources
{
    public static List<LearningCurve> Measure(Workspace workspace, TokenizedCorpus corpus, CompareSettings settings, string pairs, string ngram,
        string gpt,
        IProgress<ProgressReport>? progress)
    {
        var train = corpus.ReadTokens(Splits.Train);
        var trainDocs = corpus.ReadDocuments(Splits.Train);
        var valid = corpus.ReadTokens(Splits.Valid);
        var validDocs = corpus.ReadDocuments(Splits.Valid);
        var vocabulary = corpus.Vocabulary;
        var curves = new List<LearningCurve>
        {
            LearningCurves.ForCountModel(pairs, "pairs", (prefix, docs) =>
                PairModelBuilder.BuildInMemory(pairs, vocabulary, prefix, docs, valid, validDocs, new PairModelSettings(settings.Distances)),
                train, trainDocs, valid, validDocs, progress),
            LearningCurves.ForCountModel(ngram, "ngram", (prefix, _) =>
            {
                var data = KneserNeyEstimator.Estimate(prefix, vocabulary.Count, new KneserNeySettings(settings.Order, DiscountFallback: true,
                    WholeVocabulary: true));
                long entries = data.Tables.Sum(t => (long)t.Count);
                return new NGramModel(ngram, vocabulary, data, new ModelFootprint(entries, 0, entries));
            }, train, trainDocs, valid, validDocs, progress),
        };
        var manifest = GptModelManifest.Load(Path.Combine(ModelManifestFile.Locate(workspace, gpt), "manifest.json"));
        curves.Add(new LearningCurve(gpt, "gpt",
            $"validation perplexity at its training-time checks ({manifest.Options.EvalTokens:N0} validation tokens in non-overlapping " +
                $"{manifest.Config.Context}-token windows), by tokens seen",
            manifest.Curve.Select(p => new CurvePoint(p.TokensSeen, Math.Exp(p.ValidLoss))).ToList()));
        return curves;
    }
}
