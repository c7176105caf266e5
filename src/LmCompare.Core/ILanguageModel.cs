namespace LmCompare.Core;

/// <summary>
/// Everything that scores text goes through this interface, so the evaluator, generation and the REPL
/// treat every model alike. All probabilities are natural logarithms (ln).
/// </summary>
public interface ILanguageModel : IDisposable
{
    string Name { get; }

    Vocabulary Vocabulary { get; }

    /// <summary>ln p(next | context) for every id of the vocabulary; the probabilities sum to 1.</summary>
    void NextTokenLogProbs(ReadOnlySpan<int> context, Span<float> logProbs);

    /// <summary>ln p(tokens[i] | tokens[..i]) into logProbs[i - start] for every i &gt;= start.</summary>
    void Score(ReadOnlySpan<int> tokens, int start, Span<double> logProbs);

    ModelFootprint Footprint { get; }
}
