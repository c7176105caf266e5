using LmCompare.Core;
using LmCompare.Core.Generation;

namespace LmCompare.Counting.Pairs;

/// <summary>
/// The discussion's step 4 taken literally as a decoder: at every step the candidates are the union of the top-K
/// successor lists of the last N words at their distances, and the one the combined statistics rank first is taken
/// (<see cref="PairDistanceModel.PredictVote"/>). Banned ids are skipped; with no candidate at all (an unseen history)
/// it falls back to the most probable id of the full distribution.
/// </summary>
public static class VoteDecoder
{
    public static List<int> Generate(PairDistanceModel model, ReadOnlySpan<int> prompt, SamplingOptions options, Action<int>? onToken = null,
        CancellationToken cancel = default)
    {
        options.Validate();
        var context = new List<int> { SpecialTokens.SentenceEndId };
        context.AddRange(prompt.ToArray());
        var output = new List<int>();
        var fallback = new TokenSampler(options with { Greedy = true });
        var logProbs = new float[model.Vocabulary.Count];
        while (output.Count < options.MaxTokens && !cancel.IsCancellationRequested)
        {
            var history = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(context);
            int next = -1;
            foreach (var (id, _) in model.PredictVote(history, model.Probabilities.Tables.TopK))
                if (id != SpecialTokens.SentenceStartId && !(options.NoUnk && id == SpecialTokens.UnknownId)) { next = id; break; }
            if (next < 0)
            {
                model.NextTokenLogProbs(history[1..], logProbs);
                next = fallback.Next(logProbs, history);
            }
            if (next == SpecialTokens.SentenceEndId) break;
            output.Add(next);
            context.Add(next);
            onToken?.Invoke(next);
        }
        return output;
    }
}
