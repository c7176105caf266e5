using System.Diagnostics;
using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Models;
using LmCompare.Evaluation.Reports;

namespace LmCompare.Evaluation;

/// <summary>
/// The evaluation pipeline <c>lmc eval</c> and <c>lmc compare</c> both run: identify the named models, refuse any of
/// another corpus or ingestion before loading one, open them, evaluate them together on one protocol
/// (<see cref="CorpusEvaluation"/>), dispose them.
/// </summary>
public static class ModelSetEvaluation
{
    public static EvaluationReport Run(Workspace workspace, TokenizedCorpus corpus, IReadOnlyList<string> names, EvaluationSettings settings,
        IModelOpener opener, IProgress<ProgressReport>? progress = null)
    {
        var ids = names.Select(n => ModelIdentity.Read(workspace, n)).ToList();
        foreach (var id in ids) id.CheckCorpus(corpus);
        var models = new List<EvaluatedModel>();
        try
        {
            foreach (var id in ids)
            {
                var clock = Stopwatch.StartNew();
                var model = opener.Open(workspace, id, corpus);
                models.Add(model with { OpenSeconds = clock.Elapsed.TotalSeconds });
            }
            return new CorpusEvaluation(corpus, progress).Evaluate(models, settings);
        }
        finally
        {
            foreach (var m in models) m.Model.Dispose();
        }
    }
}
