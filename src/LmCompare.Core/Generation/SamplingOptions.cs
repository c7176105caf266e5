namespace LmCompare.Core.Generation;

/// <summary>
/// How the next token is chosen from a model's distribution; the same for every model, so the same seed and settings
/// give the same text on every run.
/// </summary>
/// <param name="Temperature">Divides the log-probabilities before renormalising: below 1 sharpens, above 1 flattens. Default 0.8.</param>
/// <param name="TopK">Keep only the K most probable ids (0: all). Default 40.</param>
/// <param name="TopP">Nucleus: keep the smallest set of most probable ids whose mass reaches P (Holtzman et al. 2020). Default 1 (off).</param>
/// <param name="Greedy">Always take the most probable id (ties: the lowest id); ignores the rest.</param>
/// <param name="RepetitionPenalty">Multiplies the log-probability of every id already in the prompt or output (CTRL,
/// Keskar et al. 2019, applied to log-probabilities, which are never positive): 1 is off, 1.2 a usual value.</param>
/// <param name="Seed">Seed of the sampler's random numbers.</param>
/// <param name="MaxTokens">Stop after this many tokens (or at &lt;/s&gt;).</param>
/// <param name="NoUnk">Never emit &lt;unk&gt;. Default on.</param>
public sealed record SamplingOptions(double Temperature = 0.8, int TopK = 40, double TopP = 1.0, bool Greedy = false,
    double RepetitionPenalty = 1.0, int Seed = 1, int MaxTokens = 50, bool NoUnk = true)
{
    public void Validate()
    {
        if (!Greedy && !(Temperature > 0)) throw new UsageException($"--temperature must be positive (got {Temperature}); use --greedy for the " +
            $"most probable token");
        if (!(TopP > 0 && TopP <= 1)) throw new UsageException($"--top-p must be in (0, 1] (got {TopP})");
        if (TopK < 0) throw new UsageException($"--top-k must not be negative (got {TopK})");
        if (!(RepetitionPenalty >= 1)) throw new UsageException($"--repetition-penalty must be at least 1 (got {RepetitionPenalty})");
        if (MaxTokens < 1) throw new UsageException($"--max-tokens must be at least 1 (got {MaxTokens})");
    }
}
