using System.Globalization;

namespace LmCompare.Evaluation.Metrics;

/// <summary>
/// The questions the learning curves answer by extrapolation: fitted laws ppl(D) = c + a (D / 1M)^-b for the count models
/// (<see cref="PowerLawFit"/>), and the training data at which the pair model would reach KN5 and KN5 the transformer,
/// each stated with its assumption. The transformer's curve is by tokens seen, not data available, so it gets no law.
/// </summary>
public static class ScalingExtrapolation
{
    public static IReadOnlyList<PowerLawFit> Fits(IReadOnlyList<LearningCurve> curves) =>
        curves.Where(c => c.Kind is "pairs" or "ngram").Select(PowerLawFit.Fit).OfType<PowerLawFit>().ToList();

    /// <summary>Sentences, generated from the numbers; <paramref name="transformerPerplexity"/> is its test perplexity
    /// (sentence scope) when the report has one.</summary>
    public static IReadOnlyList<string> Sentences(IReadOnlyList<LearningCurve> curves, IReadOnlyList<PowerLawFit> fits,
        string? transformer, double? transformerPerplexity)
    {
        var sentences = new List<string>();
        var pairs = curves.FirstOrDefault(c => c.Kind == "pairs");
        var ngram = curves.FirstOrDefault(c => c.Kind == "ngram");
        var pairsFit = fits.FirstOrDefault(f => f.Model == pairs?.Model);
        var ngramFit = fits.FirstOrDefault(f => f.Model == ngram?.Model);
        if (pairsFit is not null && ngram is { Points.Count: > 0 })
        {
            var full = ngram.Points[^1];
            sentences.Add(Reach(pairsFit, pairs!.Points[^1].TrainingTokens, $"{ngram.Model}'s validation perplexity on all " +
                $"{full.TrainingTokens:N0} training tokens", full.Perplexity));
        }
        if (ngramFit is not null && transformer is not null && transformerPerplexity is { } target && double.IsFinite(target))
            sentences.Add(Reach(ngramFit, ngram!.Points[^1].TrainingTokens, $"{transformer}'s test perplexity (sentence scope; " +
                "a different split from the curves' validation one, same distribution)", target));
        return sentences;
    }

    private static string Reach(PowerLawFit fit, long available, string what, double target)
    {
        string law = $"ppl = {Num(fit.C)} + {Num(fit.A)} (D / 1M)^-{fit.B.ToString("0.###", CultureInfo.InvariantCulture)}";
        string caveat = fit.StandardErrorC is { } error && error > Math.Abs(fit.C)
            ? $" Its floor c is not pinned down by these points (± {Num(error)}), so this is a rough guide."
            : "";
        if (fit.TokensToReach(target) is not { } tokens)
            return $"{fit.Model} ({law}) would not reach {what}, {Num(target)}, with any amount of such data: its fitted floor " +
                $"{Num(fit.C)} lies above it." + caveat;
        string when = tokens <= available ? "already within the data measured"
            : $"{(tokens / available).ToString("0.#", CultureInfo.InvariantCulture)} times the {available:N0} tokens it had";
        return $"{fit.Model} ({law}) would reach {what}, {Num(target)}, at about {Tokens(tokens)} training tokens ({when}), " +
            "if the law fitted on 1/64 ... 1 of the data holds that far." + caveat;
    }

    private static string Num(double value) => value.ToString(value >= 100 ? "0.0" : "0.00", CultureInfo.InvariantCulture);

    private static string Tokens(double tokens) => tokens switch
    {
        >= 1e12 => $"{tokens / 1e12:0.#}T",
        >= 1e9 => $"{tokens / 1e9:0.#}G",
        >= 1e6 => $"{tokens / 1e6:0.#}M",
        _ => $"{tokens:N0}",
    };
}
