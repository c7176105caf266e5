namespace LmCompare.Core.Generation;

/// <summary>
/// Generation on any <see cref="ILanguageModel"/>: ask for the next-token distribution after the prompt and the output
/// so far, draw with a <see cref="TokenSampler"/>, repeat until &lt;/s&gt; or <see cref="SamplingOptions.MaxTokens"/>.
/// An empty prompt starts from a sentence end, as every model reads the start of a span.
/// </summary>
public static class TextGenerator
{
    /// <param name="onToken">Called with each id as it is produced (streaming); &lt;/s&gt; ends the text and is not passed.</param>
    public static List<int> Generate(ILanguageModel model, ReadOnlySpan<int> prompt, SamplingOptions options, Action<int>? onToken = null,
        CancellationToken cancel = default)
    {
        options.Validate();
        var sampler = new TokenSampler(options);
        var context = new List<int>(prompt.Length + options.MaxTokens);
        context.AddRange(prompt.ToArray());
        var output = new List<int>();
        var logProbs = new float[model.Vocabulary.Count];
        while (output.Count < options.MaxTokens && !cancel.IsCancellationRequested)
        {
            var history = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(context);
            model.NextTokenLogProbs(history, logProbs);
            int next = sampler.Next(logProbs, history);
            if (next == SpecialTokens.SentenceEndId) break;
            output.Add(next);
            context.Add(next);
            onToken?.Invoke(next);
        }
        return output;
    }
}
