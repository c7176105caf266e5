using LmCompare.Evaluation.Metrics;

namespace LmCompare.Evaluation.Tests;

public class PowerLawFitTests
{
    private static LearningCurve Curve(Func<double, double> ppl, params long[] tokens) =>
        new("m", "ngram", "test", tokens.Select(t => new CurvePoint(t, ppl(t))).ToList());

    private static readonly long[] Prefixes = [.. new[] { 64, 32, 16, 8, 4, 2, 1 }.Select(d => 1_000_000L / d)];

    [Fact]
    public void Fit_ExactLaw_RecoversItsParameters()
    {
        var fit = PowerLawFit.Fit(Curve(d => 20 + 50 * Math.Pow(d / 1e6, -0.3), Prefixes))!;

        Assert.Equal(50, fit.A, 3);
        Assert.Equal(0.3, fit.B, 4);
        Assert.Equal(20, fit.C, 3);
        Assert.Equal(7, fit.Points);
        Assert.True(fit.StandardErrorB < 1e-3, $"standard error of b {fit.StandardErrorB}");
    }

    [Fact]
    public void Fit_NoisyLaw_StandardErrorsCoverTheTruth()
    {
        var random = new Random(5);
        var fit = PowerLawFit.Fit(Curve(d => (300 + 900 * Math.Pow(d / 1e6, -0.45)) * (1 + 0.01 * (random.NextDouble() - 0.5)), Prefixes))!;

        Assert.InRange(0.45, fit.B - 3 * fit.StandardErrorB!.Value, fit.B + 3 * fit.StandardErrorB.Value);
        Assert.InRange(300, fit.C - 3 * fit.StandardErrorC!.Value, fit.C + 3 * fit.StandardErrorC.Value);
    }

    [Fact]
    public void TokensToReach_InvertsPredict_AndNullBelowTheFloor()
    {
        var fit = new PowerLawFit("m", 50, 0.3, 20, null, null, null, 7);

        Assert.Equal(3e9, fit.TokensToReach(fit.Predict(3e9))!.Value, 1e-3 * 3e9);
        Assert.Null(fit.TokensToReach(19.9));
        Assert.Null(fit.TokensToReach(20));
    }

    [Fact]
    public void Fit_ThreePoints_NoFit() => Assert.Null(PowerLawFit.Fit(Curve(d => 100 / d, 10, 20, 40)));

    [Fact]
    public void Sentences_PairsAboveKnFloor_SaysNeverAndNamesTheFloor()
    {
        var pairs = new LearningCurve("p", "pairs", "t", Prefixes.Select(t => new CurvePoint(t, 400 + 100 * Math.Pow(t / 1e6, -0.5))).ToList());
        var ngram = new LearningCurve("k", "ngram", "t", Prefixes.Select(t => new CurvePoint(t, 100 + 200 * Math.Pow(t / 1e6, -0.4))).ToList());
        var fits = ScalingExtrapolation.Fits([pairs, ngram]);

        var sentences = ScalingExtrapolation.Sentences([pairs, ngram], fits, "g", 200.0);

        Assert.Equal(2, sentences.Count);
        Assert.Contains("would not reach k's validation perplexity", sentences[0]);
        Assert.Contains("floor 400.0", sentences[0]);
        Assert.DoesNotContain("rough guide", sentences[0]); // an exact law: the floor is determined
        Assert.Contains("would reach g's test perplexity", sentences[1]);
        Assert.Contains("at about 5.7M training tokens (5.7 times the 1,000,000 tokens it had)", sentences[1]); // (100 / 200)^(-1/0.4) M
    }

    [Fact]
    public void Sentences_MobyDickCurves_FloorUndetermined_SaysItIsARoughGuide()
    {
        // the curves of README command 1's report (moby-dick, 2026-12-02): seven points that do not pin the floor down
        long[] tokens = [3_614, 7_228, 14_455, 28_910, 57_820, 115_641, 231_282];
        double[] pairsPerplexity = [617.33, 486.78, 401.65, 343.00, 274.36, 220.98, 183.79];
        double[] ngramPerplexity = [632.81, 484.83, 403.06, 341.55, 274.83, 219.48, 179.24];
        var pairs = new LearningCurve("moby-pairs", "pairs", "t", tokens.Zip(pairsPerplexity, (t, p) => new CurvePoint(t, p)).ToList());
        var ngram = new LearningCurve("moby-kn5", "ngram", "t", tokens.Zip(ngramPerplexity, (t, p) => new CurvePoint(t, p)).ToList());
        var fits = ScalingExtrapolation.Fits([pairs, ngram]);

        var sentences = ScalingExtrapolation.Sentences([pairs, ngram], fits, null, null);

        Assert.Equal(0.29, fits[0].B, 2);
        Assert.True(fits[0].StandardErrorC > Math.Abs(fits[0].C));
        Assert.Contains("rough guide", Assert.Single(sentences));
        Assert.Contains("would reach moby-kn5's validation perplexity on all 231,282 training tokens, 179.2", sentences[0]);
    }
}
