using LmCompare.Core;

namespace LmCompare.Evaluation.Metrics;

/// <summary>
/// Linear interpolation of two models over the same vocabulary (docs/ARCHITECTURE.md, "The evaluation protocol"):
/// P(v | h) = a P_first(v | h) + (1 - a) P_second(v | h), with a fitted on the validation split
/// (<see cref="MixtureWeightFitter"/>). The classic result is that it beats both. Natural logs throughout.
/// </summary>
public sealed class MixtureModel : ILanguageModel
{
    private readonly bool _owns;

    public MixtureModel(ILanguageModel first, ILanguageModel second, double weight, bool ownsComponents = false)
    {
        if (first.Vocabulary.Count != second.Vocabulary.Count)
            throw new InputException($"cannot mix {first.Name} ({first.Vocabulary.Count} ids) with {second.Name} ({second.Vocabulary.Count} ids)");
        if (!(weight >= 0 && weight <= 1)) throw new UsageException($"mixture weight {weight} is outside [0, 1]");
        First = first;
        Second = second;
        Weight = weight;
        _owns = ownsComponents;
    }

    public static string NameOf(string first, string second) => $"{first}+{second}";

    public string Name => NameOf(First.Name, Second.Name);
    public ILanguageModel First { get; }
    public ILanguageModel Second { get; }
    /// <summary>a, the weight of <see cref="First"/>.</summary>
    public double Weight { get; }
    public Vocabulary Vocabulary => First.Vocabulary;

    public ModelFootprint Footprint => CombinedFootprint(First, Second);

    /// <summary>What a mixture of the two costs: both models kept.</summary>
    public static ModelFootprint CombinedFootprint(ILanguageModel first, ILanguageModel second) => new(
        first.Footprint.Parameters + second.Footprint.Parameters,
        first.Footprint.BytesOnDisk + second.Footprint.BytesOnDisk,
        first.Footprint.NonZeros + second.Footprint.NonZeros);

    /// <summary>ln(a e^first + (1 - a) e^second), computed without underflow.</summary>
    public static double CombineLog(double weight, double first, double second)
    {
        if (weight <= 0) return second;
        if (weight >= 1) return first;
        double a = Math.Log(weight) + first, b = Math.Log(1 - weight) + second;
        double max = Math.Max(a, b);
        if (double.IsNegativeInfinity(max)) return double.NegativeInfinity; // both impossible (e.g. <s>)
        return max + Math.Log(Math.Exp(a - max) + Math.Exp(b - max));
    }

    /// <summary>into = a first + (1 - a) second, element-wise (plain probabilities).</summary>
    public static void Combine(double weight, ReadOnlySpan<float> first, ReadOnlySpan<float> second, Span<float> into)
    {
        float a = (float)weight, b = (float)(1 - weight);
        for (int i = 0; i < into.Length; i++) into[i] = a * first[i] + b * second[i];
    }

    public void NextTokenLogProbs(ReadOnlySpan<int> context, Span<float> logProbs)
    {
        var second = new float[logProbs.Length];
        First.NextTokenLogProbs(context, logProbs);
        Second.NextTokenLogProbs(context, second);
        for (int i = 0; i < logProbs.Length; i++) logProbs[i] = (float)CombineLog(Weight, logProbs[i], second[i]);
    }

    public void Score(ReadOnlySpan<int> tokens, int start, Span<double> logProbs)
    {
        var second = new double[tokens.Length - start];
        First.Score(tokens, start, logProbs);
        Second.Score(tokens, start, second);
        for (int i = 0; i < second.Length; i++) logProbs[i] = CombineLog(Weight, logProbs[i], second[i]);
    }

    public void ScoreDistributions(ReadOnlySpan<int> tokens, int start, Span<double> logProbs, Span<float> probabilities)
    {
        int n = tokens.Length - start;
        var secondLog = new double[n];
        var secondProbs = new float[n * Vocabulary.Count];
        First.ScoreDistributions(tokens, start, logProbs, probabilities);
        Second.ScoreDistributions(tokens, start, secondLog, secondProbs);
        for (int i = 0; i < n; i++) logProbs[i] = CombineLog(Weight, logProbs[i], secondLog[i]);
        Combine(Weight, probabilities[..secondProbs.Length], secondProbs, probabilities);
    }

    public void Dispose()
    {
        if (!_owns) return;
        First.Dispose();
        Second.Dispose();
    }
}
