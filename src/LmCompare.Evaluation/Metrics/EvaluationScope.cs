using LmCompare.Core;

namespace LmCompare.Evaluation.Metrics;

/// <summary>
/// How much history a model may use (docs/ARCHITECTURE.md, "The evaluation protocol"). <see cref="Sentence"/>: every line is scored on its own,
/// from a sentence start (the headline, KenLM's convention). <see cref="Document"/>: every earlier token of the document.
/// Numbers of different scopes are never compared with each other.
/// </summary>
public enum EvaluationScope { Sentence, Document }

/// <summary>The spans a scope scores independently: lines (each ending with its &lt;/s&gt;) or whole documents.</summary>
public static class ScoringUnits
{
    public static List<(int Start, int End)> Of(ReadOnlySpan<int> tokens, DocumentIndex documents, EvaluationScope scope)
    {
        var units = new List<(int, int)>();
        for (int d = 0; d < documents.Documents; d++)
        {
            var (start, end) = documents[d];
            if (end == start) continue;
            if (scope == EvaluationScope.Document) { units.Add(((int)start, (int)end)); continue; }
            int lineStart = (int)start;
            for (int i = (int)start; i < end; i++)
                if (tokens[i] == SpecialTokens.SentenceEndId || i == end - 1)
                {
                    units.Add((lineStart, i + 1));
                    lineStart = i + 1;
                }
        }
        return units;
    }

    public static string Label(EvaluationScope scope) => scope == EvaluationScope.Sentence ? "sentence" : "document";
}
