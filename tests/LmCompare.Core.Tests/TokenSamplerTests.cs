using LmCompare.Core;
using LmCompare.Core.Generation;

namespace LmCompare.Core.Tests;

public class TokenSamplerTests
{
    // ids: <unk> .05, <s> 0, </s> .05, 3: .4, 4: .25, 5: .15, 6: .1
    private static readonly float[] LogProbs = new[] { 0.05, 0, 0.05, 0.4, 0.25, 0.15, 0.1 }.Select(p => (float)Math.Log(p)).ToArray();

    private static int[] Ids(List<(int Id, double Weight)> support) => support.Select(s => s.Id).ToArray();

    [Fact]
    public void Support_TopK_KeepsExactlyTheKMostProbable()
    {
        var sampler = new TokenSampler(new SamplingOptions(Temperature: 1, TopK: 3));
        Assert.Equal([3, 4, 5], Ids(sampler.Support(LogProbs, [])));
    }

    [Fact]
    public void Support_TopP_KeepsTheSmallestSetReachingP()
    {
        // <unk> banned: renormalised over .95; .4 + .25 = .65 < .7 * .95 = .665, + .15 = .80 reaches it
        var sampler = new TokenSampler(new SamplingOptions(Temperature: 1, TopK: 0, TopP: 0.7));
        Assert.Equal([3, 4, 5], Ids(sampler.Support(LogProbs, [])));
        var tight = new TokenSampler(new SamplingOptions(Temperature: 1, TopK: 0, TopP: 0.4));
        Assert.Equal([3], Ids(tight.Support(LogProbs, []))); // .4 >= .4 * .95
    }

    [Fact]
    public void Support_UnkBannedByDefault_AllowedOnRequest()
    {
        Assert.DoesNotContain(SpecialTokens.UnknownId, Ids(new TokenSampler(new SamplingOptions(TopK: 0)).Support(LogProbs, [])));
        Assert.Contains(SpecialTokens.UnknownId, Ids(new TokenSampler(new SamplingOptions(TopK: 0, NoUnk: false)).Support(LogProbs, [])));
        Assert.DoesNotContain(SpecialTokens.SentenceStartId, Ids(new TokenSampler(new SamplingOptions(TopK: 0, NoUnk: false)).Support(LogProbs, [])));
    }

    [Fact]
    public void Support_Temperature_SharpensWeights()
    {
        var support = new TokenSampler(new SamplingOptions(Temperature: 0.5, TopK: 2)).Support(LogProbs, []);
        Assert.Equal(Math.Pow(0.25 / 0.4, 2), support[1].Weight / support[0].Weight, 6);
    }

    [Fact]
    public void Next_TemperatureTowardsZero_EqualsGreedy()
    {
        var greedy = new TokenSampler(new SamplingOptions(Greedy: true));
        var cold = new TokenSampler(new SamplingOptions(Temperature: 1e-4, TopK: 0));
        for (int i = 0; i < 20; i++) Assert.Equal(greedy.Next(LogProbs, []), cold.Next(LogProbs, []));
        Assert.Equal(3, greedy.Next(LogProbs, []));
    }

    [Fact]
    public void Next_RepetitionPenalty_DemotesSeenTokens()
    {
        var sampler = new TokenSampler(new SamplingOptions(Greedy: true, RepetitionPenalty: 2));
        Assert.Equal(4, sampler.Next(LogProbs, [3])); // ln .4 x 2 = ln .16 < ln .25
    }

    [Fact]
    public void Next_SameSeed_SameDraws_DrawFrequenciesFollowTheWeights()
    {
        var a = new TokenSampler(new SamplingOptions(Temperature: 1, TopK: 0, Seed: 7));
        var b = new TokenSampler(new SamplingOptions(Temperature: 1, TopK: 0, Seed: 7));
        var draws = Enumerable.Range(0, 20000).Select(_ => a.Next(LogProbs, [])).ToArray();
        Assert.Equal(draws[..200], Enumerable.Range(0, 200).Select(_ => b.Next(LogProbs, [])).ToArray());
        Assert.Equal(0.4 / 0.95, draws.Count(d => d == 3) / 20000.0, 1); // within 0.05
    }

    [Theory]
    [InlineData(0.0, 40, 1.0, false)]
    [InlineData(-1.0, 40, 1.0, false)]
    [InlineData(0.8, 40, 0.0, false)]
    [InlineData(0.8, 40, 1.5, false)]
    [InlineData(0.8, -1, 1.0, false)]
    public void Validate_BadSettings_UsageError(double temperature, int topK, double topP, bool greedy) =>
        Assert.Throws<UsageException>(() => new SamplingOptions(temperature, topK, topP, greedy).Validate());

    [Fact]
    public void Validate_ZeroTemperatureWithGreedy_Accepted() => new SamplingOptions(Temperature: 0, Greedy: true).Validate();
}

/// <summary>A context-dependent toy model: the next id is likely the previous id + 1.</summary>
internal sealed class SuccessorModel(Vocabulary vocabulary) : ILanguageModel
{
    public string Name => "successor";
    public Vocabulary Vocabulary { get; } = vocabulary;
    public ModelFootprint Footprint => new(0, 0, 0);

    public void NextTokenLogProbs(ReadOnlySpan<int> context, Span<float> logProbs)
    {
        int v = Vocabulary.Count, previous = context.IsEmpty ? 2 : context[^1];
        for (int i = 0; i < v; i++) logProbs[i] = (float)Math.Log(i == 1 ? 1e-30 : i == (previous + 1) % v ? 0.5 : 0.5 / (v - 2));
    }

    public void Score(ReadOnlySpan<int> tokens, int start, Span<double> logProbs)
    {
        var row = new float[Vocabulary.Count];
        for (int i = start; i < tokens.Length; i++) { NextTokenLogProbs(tokens[..i], row); logProbs[i - start] = row[tokens[i]]; }
    }

    public void Dispose() { }
}

public class TextGeneratorTests
{
    private static Vocabulary Words(int n) => Vocabulary.Build(Enumerable.Range(0, n).Select(i => new KeyValuePair<string, long>($"w{i}", 100 - i)),
        new VocabularyOptions());

    [Fact]
    public void Generate_SameSeed_SameText_OtherSeed_OtherText()
    {
        using var model = new SuccessorModel(Words(20));
        var a = TextGenerator.Generate(model, [5], new SamplingOptions(Temperature: 1.5, TopK: 0, Seed: 3, MaxTokens: 30));
        var b = TextGenerator.Generate(model, [5], new SamplingOptions(Temperature: 1.5, TopK: 0, Seed: 3, MaxTokens: 30));
        var c = TextGenerator.Generate(model, [5], new SamplingOptions(Temperature: 1.5, TopK: 0, Seed: 4, MaxTokens: 30));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Generate_Greedy_FollowsTheMode_StopsAtSentenceEnd()
    {
        using var model = new SuccessorModel(Words(5)); // ids 0..7: the mode after 5 is 6, then 7, then 0 (<unk>, banned) ...
        var streamed = new List<int>();
        var output = TextGenerator.Generate(model, [5], new SamplingOptions(Greedy: true, MaxTokens: 10), streamed.Add);
        Assert.Equal([6, 7], output[..2]);
        Assert.Equal(output, streamed);
        Assert.DoesNotContain(SpecialTokens.UnknownId, output);
        Assert.True(output.Count <= 10);
        var fromEnd = TextGenerator.Generate(model, [1 + 0], new SamplingOptions(Greedy: true, MaxTokens: 5)); // after <s>: the mode is </s>
        Assert.Empty(fromEnd);
    }
}
