using LmCompare.Corpus;
using LmCompare.Corpus.Models;

namespace LmCompare.Evaluation;

/// <summary>
/// Opens a built model of any kind for evaluation. The CLI implements it (only the composition root knows every model
/// family); the evaluator sees the models through <see cref="Core.ILanguageModel"/> and nothing else.
/// </summary>
public interface IModelOpener
{
    /// <param name="corpus">The model's corpus, already open and checked against it (<see cref="ModelIdentity.CheckCorpus"/>):
    /// its vocabulary is not loaded again.</param>
    EvaluatedModel Open(Workspace workspace, ModelIdentity id, TokenizedCorpus corpus);
}
