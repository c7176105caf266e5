using LmCompare.Core;
using LmCompare.Transformer.Native;
using LmCompare.Tests;
using TorchSharp;
using static TorchSharp.torch;

namespace LmCompare.Transformer.Tests;

public class GptTests
{
    private static readonly GptConfig Tiny = new(VocabularySize: 50, Layers: 2, DModel: 16, Heads: 4, Context: 8);

    private static Gpt Create(GptConfig config, int seed = 1)
    {
        TorchSetup.EnsureReady(threads: 1);
        manual_seed(seed);
        return new Gpt(config);
    }

    private static Vocabulary VocabularyOf(int size) =>
        Vocabulary.Build(Enumerable.Range(0, size - SpecialTokens.Count).Select(i => new KeyValuePair<string, long>($"w{i:000}", 1000 - i)),
            new VocabularyOptions());

    [Fact]
    public void Forward_BatchOfIds_GivesLogitsPerPosition()
    {
        using var model = Create(Tiny);
        using var ids = randint(0, 50, [3, 8], dtype: ScalarType.Int64);

        using var logits = model.forward(ids);

        Assert.Equal([3L, 8L, 50L], logits.shape);
    }

    [Fact]
    public void Forward_ChangingALaterToken_LeavesEarlierPositionsUnchanged()
    {
        using var model = Create(Tiny);
        model.eval();
        long[] a = [5, 6, 7, 8, 9, 10, 11, 12];
        long[] b = [5, 6, 7, 8, 40, 41, 42, 43];

        using var la = model.forward(tensor(a).unsqueeze(0));
        using var lb = model.forward(tensor(b).unsqueeze(0));

        Assert.True(la[0, ..4].allclose(lb[0, ..4], rtol: 0, atol: 1e-6));
        Assert.False(la[0, 4..].allclose(lb[0, 4..], rtol: 0, atol: 1e-3));
    }

    [Fact]
    public void Create_SameSeed_SameWeights_OtherSeed_Other()
    {
        using var a = Create(Tiny, seed: 3);
        using var b = Create(Tiny, seed: 3);
        using var c = Create(Tiny, seed: 4);
        var pa = a.parameters().ToList();
        var pb = b.parameters().ToList();
        var pc = c.parameters().ToList();

        Assert.All(Enumerable.Range(0, pa.Count), i => Assert.True(pa[i].allclose(pb[i], rtol: 0, atol: 0)));
        Assert.Contains(Enumerable.Range(0, pa.Count), i => !pa[i].allclose(pc[i], rtol: 0, atol: 0));
        Assert.Equal(Tiny.Parameters, pa.Sum(p => p.numel()));
    }

    [Fact]
    public void TrainingSteps_RepetitiveSequence_LossFalls()
    {
        using var model = Create(Tiny);
        model.train();
        var optimizer = optim.AdamW(model.parameters(), lr: 1e-2);
        using var x = tensor(Enumerable.Range(0, 8).Select(i => (long)(3 + i % 4)).ToArray()).unsqueeze(0).repeat(4, 1); // (4, 8)
        using var y = tensor(Enumerable.Range(1, 8).Select(i => (long)(3 + i % 4)).ToArray()).unsqueeze(0).repeat(4, 1);
        double first = 0, last = 0;
        for (int step = 0; step < 60; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.forward(x).view(-1, 50), y.view(-1));
            loss.backward();
            optimizer.step();
            if (step == 0) first = loss.item<float>();
            last = loss.item<float>();
        }

        Assert.True(last < first / 4, $"loss {first} -> {last}");
    }

    [Theory]
    [InlineData(0, 16, 4, 8)]
    [InlineData(2, 15, 4, 8)]
    [InlineData(2, 16, 4, 1)]
    public void Config_Invalid_UsageError(int layers, int dModel, int heads, int context) =>
        Assert.Throws<UsageException>(() => new GptConfig(50, layers, dModel, heads, context).Validate());

    [Fact]
    public void LanguageModel_NextTokenLogProbs_SumToOneAndNeverPredictBos()
    {
        var vocabulary = VocabularyOf(50);
        using var lm = new GptLanguageModel("gpt", vocabulary, Create(Tiny));
        var logProbs = new float[50];

        foreach (int[] context in new[] { Array.Empty<int>(), [7], [SpecialTokens.UnknownId, 9, 11], Enumerable.Range(3, 30).ToArray() })
        {
            lm.NextTokenLogProbs(context, logProbs);
            Assert.True(Math.Abs(logProbs.Sum(lp => Math.Exp(lp)) - 1) < 1e-5);
            Assert.Equal(float.NegativeInfinity, logProbs[SpecialTokens.SentenceStartId]);
        }
    }

    [Fact]
    public void LanguageModel_ScoreBeyondTheContext_AgreesWithNextTokenLogProbs()
    {
        var vocabulary = VocabularyOf(50);
        using var lm = new GptLanguageModel("gpt", vocabulary, Create(Tiny), batch: 3);
        var random = new Random(2);
        var tokens = Enumerable.Range(0, 29).Select(_ => random.Next(3, 50)).ToArray();
        var scored = new double[tokens.Length];
        var partial = new double[tokens.Length - 10];
        var next = new float[50];

        lm.Score(tokens, 0, scored);
        lm.Score(tokens, 10, partial);

        for (int i = 0; i < tokens.Length; i++)
        {
            lm.NextTokenLogProbs(tokens.AsSpan(0, i), next);
            Assert.Equal(next[tokens[i]], scored[i], 4);
        }
        Assert.Equal(scored[10..], partial, new DoubleTolerance(1e-9));
    }

    [Fact]
    public void ElfVersionPatch_LibTorchSharp_MarksTheVersionWeakOnceOnACopy()
    {
        TorchSetup.EnsureReady(1);
        using var temp = new TempDirectory();
        string copy = temp.Combine("lib.so");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so"), copy);

        ElfVersionPatch.MarkWeak(copy, "GLIBCXX_3.4.32");
        int again = ElfVersionPatch.MarkWeak(copy, "GLIBCXX_3.4.32");

        Assert.Equal(0, again);
        Assert.Contains(("GLIBCXX_3.4.32", true), ElfVersionPatch.Requirements(copy));
        Assert.Contains(ElfVersionPatch.Requirements(copy), r => r.Version == "GLIBCXX_3.4.9" && !r.Weak);
    }

    private sealed class DoubleTolerance(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }

    [Fact]
    public void LanguageModel_Contract_HoldsWithinAndBeyondTheContext()
    {
        var vocabulary = VocabularyOf(50);
        using var lm = new GptLanguageModel("gpt", vocabulary, Create(Tiny), batch: 2);
        var random = new Random(3);
        var tokens = Enumerable.Range(0, 21).Select(_ => random.Next(3, 50)).ToArray();
        LmCompare.Tests.LanguageModelContract.Check(lm, tokens, 0);
        LmCompare.Tests.LanguageModelContract.Check(lm, tokens, 13);
        List<int[]> spans = [[5, 6, SpecialTokens.SentenceEndId], [9], Enumerable.Range(3, 12).ToArray(), [7, 8, 9, 10, SpecialTokens.SentenceEndId]];
        LmCompare.Tests.LanguageModelContract.CheckBatch(lm, spans); // the 12-token span is longer than the context (8)
    }
}
