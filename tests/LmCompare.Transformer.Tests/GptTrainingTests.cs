using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Tests;
using LmCompare.Transformer.Training;

namespace LmCompare.Transformer.Tests;

public class GptTrainingTests
{
    private static readonly GptConfig Shape = new(VocabularySize: 4, Layers: 1, DModel: 16, Heads: 2, Context: 8);

    private static Workspace Corpus(TempDirectory temp)
    {
        var random = new Random(4);
        string Line() => string.Join(' ', Enumerable.Range(0, random.Next(3, 10)).Select(_ => $"w{random.Next(0, 30)}"));
        temp.Write("t/train.txt", string.Join('\n', Enumerable.Range(0, 300).Select(_ => Line())));
        temp.Write("t/valid.txt", string.Join('\n', Enumerable.Range(0, 40).Select(_ => Line())));
        var workspace = new Workspace(temp.Combine("home"));
        new CorpusIngestor(workspace).Ingest(new IngestOptions("c", [], new TokenizerSettings("whitespace"), new VocabularyOptions(),
            TrainPaths: [temp.Combine("t/train.txt")], ValidPaths: [temp.Combine("t/valid.txt")]));
        return workspace;
    }

    private static TrainingOptions Options(int steps) =>
        new(Batch: 4, LearningRate: 1e-2, MinLearningRate: 1e-3, WarmupSteps: 2, Steps: steps, EvalEvery: 5, EvalTokens: 256, Seed: 3, Threads: 1);

    [Fact]
    public void Train_StoppedThenResumed_SameLossesAsUninterrupted()
    {
        using var temp = new TempDirectory();
        var workspace = Corpus(temp);
        var builder = new GptModelBuilder(workspace);

        var straight = builder.Train("c", "straight", Shape, Options(20), ExistingModel.Refuse, CancellationToken.None).Manifest;
        using (var cancel = new CancellationTokenSource())
        {
            // Stop after the evaluation at step 10 (the checkpoint there), as Ctrl-C would.
            var stopping = new GptModelBuilder(workspace, new StopAfter(10, cancel));
            stopping.Train("c", "resumed", Shape, Options(20), ExistingModel.Refuse, cancel.Token);
        }
        var resumed = builder.Train("c", "resumed", Shape, Options(20), ExistingModel.Resume, CancellationToken.None);

        Assert.True(resumed.Resumed);
        Assert.Equal(straight.Curve.Select(p => p.Step), resumed.Manifest.Curve.Select(p => p.Step));
        for (int i = 0; i < straight.Curve.Count; i++)
        {
            Assert.Equal(straight.Curve[i].TrainLoss, resumed.Manifest.Curve[i].TrainLoss, 5);
            Assert.Equal(straight.Curve[i].ValidLoss, resumed.Manifest.Curve[i].ValidLoss, 5);
        }
        Assert.True(straight.Curve[^1].ValidLoss < straight.Curve[0].ValidLoss);
    }

    [Fact]
    public void Train_CancelledBeforeTheFirstEvaluation_SavesAndResumes()
    {
        using var temp = new TempDirectory();
        var workspace = Corpus(temp);
        using var cancel = new CancellationTokenSource();
        var stopping = new GptModelBuilder(workspace, new StopAfterStep(3, cancel));

        var options = Options(20) with { EvalEvery = 50 }; // the only evaluation is the last step's
        var first = stopping.Train("c", "m", Shape, options, ExistingModel.Refuse, cancel.Token);
        var resumed = new GptModelBuilder(workspace).Train("c", "m", Shape, options, ExistingModel.Resume, CancellationToken.None);

        Assert.Equal("cancelled", first.Manifest.StopReason);
        Assert.Null(first.Manifest.BestValidPerplexity);
        Assert.Equal(20, resumed.Manifest.Steps);
    }

    /// <summary>Cancels at the first report at or after a step (reports come every 10 steps and at evaluations).</summary>
    private sealed class StopAfterStep(int step, CancellationTokenSource cancel) : IProgress<TrainingReport>
    {
        public void Report(TrainingReport value) { if (value.Step >= step) cancel.Cancel(); }
    }

    private sealed class StopAfter(int step, CancellationTokenSource cancel) : IProgress<TrainingReport>
    {
        public void Report(TrainingReport value) { if (value.Step >= step && value.ValidLoss is not null) cancel.Cancel(); }
    }

    [Fact]
    public void Resume_WithOtherConfiguration_NamesTheFields()
    {
        using var temp = new TempDirectory();
        var workspace = Corpus(temp);
        new GptModelBuilder(workspace).Train("c", "m", Shape, Options(5), ExistingModel.Refuse, CancellationToken.None);

        var error = Assert.Throws<UsageException>(() =>
            new GptModelBuilder(workspace).Train("c", "m", Shape with { DModel = 32 }, Options(5) with { LearningRate = 5e-3 }, ExistingModel.Resume,
                CancellationToken.None));

        Assert.Contains("--d-model 16 vs 32", error.Message);
        Assert.Contains("--lr 0.01 vs 0.005", error.Message);
    }

    [Fact]
    public void Resume_TruncatedCheckpoint_ClearError()
    {
        using var temp = new TempDirectory();
        var workspace = Corpus(temp);
        var result = new GptModelBuilder(workspace).Train("c", "m", Shape, Options(10), ExistingModel.Refuse, CancellationToken.None);
        string checkpoint = Path.Combine(result.Directory, GptTrainer.CheckpointFile);
        var bytes = File.ReadAllBytes(checkpoint);
        File.WriteAllBytes(checkpoint, bytes[..(bytes.Length / 2)]);

        var error = Assert.Throws<InputException>(() =>
            new GptModelBuilder(workspace).Train("c", "m", Shape, Options(20), ExistingModel.Resume, CancellationToken.None));

        Assert.Contains(checkpoint, error.Message);
    }

    [Fact]
    public void Train_ExistingModelWithoutForce_Refused_AndLoaderScores()
    {
        using var temp = new TempDirectory();
        var workspace = Corpus(temp);
        new GptModelBuilder(workspace).Train("c", "m", Shape, Options(5), ExistingModel.Refuse, CancellationToken.None);

        Assert.Throws<UsageException>(() => new GptModelBuilder(workspace).Train("c", "m", Shape, Options(5), ExistingModel.Refuse,
            CancellationToken.None));
        using var model = GptModelLoader.Load(workspace, "m", threads: 1);
        var valid = TokenizedCorpus.Open(workspace, "c").ReadTokens(Splits.Valid);
        var scores = new double[valid.Length];
        model.Score(valid, 0, scores);
        Assert.All(scores, s => Assert.True(s < 0 && double.IsFinite(s)));
    }

    [Fact]
    public void Train_HugeLearningRate_StopsOnNaNAndSaysSo()
    {
        using var temp = new TempDirectory();
        var workspace = Corpus(temp);

        var error = Assert.Throws<InputException>(() =>
            new GptModelBuilder(workspace).Train("c", "m", Shape, Options(50) with { LearningRate = 1e12, MinLearningRate = 1e11, GradClip = 0 },
                ExistingModel.Refuse, CancellationToken.None));

        Assert.Contains("the loss became", error.Message);
    }
}
