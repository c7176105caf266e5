using System.Diagnostics;
using System.Globalization;
using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Corpus.Ingest;
using LmCompare.Corpus.Models;
using LmCompare.Transformer.Native;
using LmCompare.Transformer.Training;
using static TorchSharp.torch;

namespace LmCompare.Transformer;

/// <summary>What <c>lmc train</c> produced.</summary>
public sealed record GptTrainResult(string Directory, GptModelManifest Manifest, bool Resumed);

/// <summary>
/// <c>lmc train</c>: claims the model folder (lock, --force, --resume), checks a resumed run's configuration against
/// its checkpoint (naming the fields that differ), trains, and writes the manifest last.
/// </summary>
public sealed class GptModelBuilder(Workspace workspace, IProgress<TrainingReport>? progress = null)
{
    public GptTrainResult Train(string corpusName, string modelName, GptConfig shape, TrainingOptions options, ExistingModel existing,
        CancellationToken cancel)
    {
        options.Validate();
        var corpus = TokenizedCorpus.Open(workspace, corpusName);
        var config = shape with { VocabularySize = corpus.Vocabulary.Count };
        config.Validate();
        TorchSetup.EnsureReady(options.Threads);
        using var folder = ModelFolder.Claim(workspace.ModelsDirectory, modelName, existing);
        string checkpoint = Path.Combine(folder.Path, GptTrainer.CheckpointFile);
        TrainingState? resume = null;
        if (existing == ExistingModel.Resume && File.Exists(checkpoint))
        {
            resume = TrainingCheckpoint.ReadState(checkpoint);
            string differences = Differences(resume.Config, config, resume.Options, options);
            if (differences.Length > 0) throw new UsageException($"--resume with another configuration: {differences}; use --force to start over");
        }
        else
        {
            folder.Clear();
        }
        var clock = Stopwatch.StartNew();
        double peak = MatmulPeak.Measure();
        manual_seed(options.Seed);
        using var model = new Gpt(config);
        var outcome = new GptTrainer(folder.Path, progress).Train(model, options, corpus.ReadTokens(Splits.Train), corpus.ReadTokens(Splits.Valid),
            resume, peak, cancel);
        var state = outcome.State;
        var (testPerplexity, testTokens) = TestPerplexity(folder.Path, config, corpus);
        double seconds = state.ElapsedSeconds;
        double tokensPerSecond = seconds > 0 ? state.TokensSeen / seconds : 0;
        var manifest = new GptModelManifest
        {
            Name = modelName, Corpus = corpus.Name, CorpusFingerprint = corpus.Fingerprint(), CorpusQuickFingerprint = corpus.QuickFingerprint(),
            VocabularySize = corpus.Vocabulary.Count,
            Config = config, Options = options, Parameters = config.Parameters, Steps = state.Step, TokensSeen = state.TokensSeen,
            BestValidPerplexity = double.IsFinite(state.BestValidLoss) ? Math.Round(Math.Exp(state.BestValidLoss), 4) : null,
            WallSeconds = Math.Round(seconds, 2), TokensPerSecond = Math.Round(tokensPerSecond), PeakGflops = Math.Round(peak / 1e9, 1),
            Mfu = peak > 0 ? Math.Round(tokensPerSecond * config.TrainingFlopsPerToken / peak, 4) : 0, StopReason = outcome.StopReason,
            Curve = state.Curve, Tool = ToolInfo.Description, TestPerplexity = testPerplexity, TestTokens = testTokens,
            CreatedUtc = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), BytesOnDisk = folder.BytesOnDisk(),
        };
        AtomicFile.WriteAllText(folder.ManifestPath, manifest.ToJson());
        return new GptTrainResult(folder.Path, manifest, resume is not null);
    }

    /// <summary>Document-scoped test perplexity of the best weights (sliding windows, every token incl. &lt;/s&gt; and &lt;unk&gt;).</summary>
    private static (double? Perplexity, long Tokens) TestPerplexity(string folder, GptConfig config, TokenizedCorpus corpus)
    {
        var test = corpus.ReadTokens(Splits.Test);
        if (test.Length == 0) return (null, 0);
        var model = new Gpt(config);
        model.load(Path.Combine(folder, GptTrainer.BestFile));
        using var lm = new GptLanguageModel("best", corpus.Vocabulary, model);
        var result = DocumentPerplexity.Compute(lm, test, corpus.ReadDocuments(Splits.Test));
        return (Math.Round(result.Perplexity, 4), result.Tokens);
    }

    /// <summary>The settings that must match for a resume, as "field: checkpoint vs now" pairs.</summary>
    private static string Differences(GptConfig a, GptConfig b, TrainingOptions oa, TrainingOptions ob)
    {
        var differences = new List<string>();
        void Compare<T>(string name, T x, T y) { if (!EqualityComparer<T>.Default.Equals(x, y)) differences.Add($"{name} {x} vs {y}"); }
        Compare("vocabulary", a.VocabularySize, b.VocabularySize);
        Compare("--layers", a.Layers, b.Layers);
        Compare("--d-model", a.DModel, b.DModel);
        Compare("--heads", a.Heads, b.Heads);
        Compare("--context", a.Context, b.Context);
        Compare("--dropout", a.Dropout, b.Dropout);
        Compare("--batch", oa.Batch, ob.Batch);
        Compare("--lr", oa.LearningRate, ob.LearningRate);
        Compare("--min-lr", oa.MinLearningRate, ob.MinLearningRate);
        Compare("--weight-decay", oa.WeightDecay, ob.WeightDecay);
        Compare("--warmup", oa.WarmupSteps, ob.WarmupSteps);
        Compare("--seed", oa.Seed, ob.Seed);
        return string.Join(", ", differences);
    }
}

/// <summary>Opens a trained transformer: manifest, its corpus's vocabulary (checked), the best weights.</summary>
public static class GptModelLoader
{
    public static GptLanguageModel Load(Workspace workspace, string name, int threads = 0)
    {
        string directory = ModelManifestFile.Locate(workspace, name);
        var manifest = GptModelManifest.Load(Path.Combine(directory, ModelManifestFile.FileName));
        var corpus = manifest.OpenCorpus(workspace, "(it was re-ingested); train again");
        TorchSetup.EnsureReady(threads);
        var model = new Gpt(manifest.Config);
        string weights = Path.Combine(directory, GptTrainer.BestFile);
        try { model.load(weights); }
        catch (Exception e) when (e is IOException or ArgumentException or FormatException or EndOfStreamException)
        {
            model.Dispose();
            throw new InputException($"{weights}: truncated or corrupt weights ({e.Message.ReplaceLineEndings(" ")})", e);
        }
        return new GptLanguageModel(name, corpus.Vocabulary, model, manifest.BytesOnDisk);
    }
}
