using System.Diagnostics;
using LmCompare.Core;
using LmCompare.Transformer.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LmCompare.Transformer.Training;

/// <summary>A log line of training: what each progress report carries.</summary>
public sealed record TrainingReport(int Step, int TotalSteps, double TrainLoss, double? ValidLoss, double TokensPerSecond, double Mfu, TimeSpan Eta);

/// <summary>How a run ended.</summary>
public sealed record TrainingOutcome(TrainingState State, string StopReason);

/// <summary>
/// nanoGPT's training loop: random windows, AdamW with decoupled weight decay on matrices only, warm-up then cosine
/// learning rate, gradient clipping, a dispose scope per step (without it RSS grows past 1.5 GB, docs/ARCHITECTURE.md, "The models"), validation
/// every <see cref="TrainingOptions.EvalEvery"/> steps with the best weights kept, early stopping, a time budget, a
/// checkpoint at every evaluation and on cancellation. A NaN loss stops the run and keeps the last good checkpoint.
/// </summary>
public sealed class GptTrainer(string folder, IProgress<TrainingReport>? progress = null)
{
    public const string CheckpointFile = "checkpoint.bin", BestFile = "best.bin";

    public TrainingOutcome Train(Gpt model, TrainingOptions options, int[] train, int[] valid, TrainingState? resume, double peakFlops,
        CancellationToken cancel)
    {
        var config = model.Config;
        if (train.Length <= config.Context
            + 1) throw new InputException($"the training split ({train.Length} tokens) is smaller than one context window ({config.Context + 1})");
        var optimizer = CreateOptimizer(model, options);
        var state = resume ?? new TrainingState(config, options, 0, 0, double.PositiveInfinity, 0, (ulong)options.Seed * 0x9E3779B97F4A7C15UL, 0, []);
        if (resume is not null) TrainingCheckpoint.Load(Path.Combine(folder, CheckpointFile), model, optimizer);
        var sampler = new WindowSampler(train, config.Context, state.SamplerState);
        var curve = state.Curve.ToList();
        var inputs = new long[options.Batch * config.Context];
        var targets = new long[inputs.Length];
        var clock = Stopwatch.StartNew();
        double elapsedBefore = state.ElapsedSeconds, lastLoss = double.NaN;
        int step = state.Step, totalSteps = options.Steps;
        long startTokens = state.TokensSeen;
        string reason = "finished";
        model.train();
        while (true)
        {
            double elapsed = elapsedBefore + clock.Elapsed.TotalSeconds;
            if (options.Steps > 0 ? step >= options.Steps : elapsed >= options.Minutes * 60) break;
            if (cancel.IsCancellationRequested) { reason = "cancelled"; break; }
            double lr = options.LearningRateAt(step, elapsed / 60);
            foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
            sampler.Sample(options.Batch, inputs, targets);
            lastLoss = Step(model, optimizer, inputs, targets, options);
            if (double.IsNaN(lastLoss) || double.IsInfinity(lastLoss))
                throw new InputException($"the loss became {lastLoss} at step {step + 1}; stopped, the last good checkpoint is kept in {folder} " +
                    $"(try a lower --lr)");
            step++;
            long tokens = state.TokensSeen + (long)(step - state.Step) * inputs.Length;
            bool evaluate = step % options.EvalEvery == 0 || (options.Steps > 0 && step == options.Steps);
            if (!evaluate) { Report(step, totalSteps, lastLoss, null, tokens - startTokens, clock, peakFlops, config, options, elapsedBefore);
                continue; }
            double validLoss = ValidationLoss(model, valid, options);
            model.train();
            curve.Add(new TrainingPoint(step, tokens, lastLoss, validLoss, elapsedBefore + clock.Elapsed.TotalSeconds));
            bool better = validLoss < state.BestValidLoss;
            state = state with
            {
                Step = step, TokensSeen = tokens, BestValidLoss = Math.Min(validLoss, state.BestValidLoss),
                EvalsWithoutImprovement = better ? 0 : state.EvalsWithoutImprovement + 1, SamplerState = sampler.State,
                ElapsedSeconds = elapsedBefore + clock.Elapsed.TotalSeconds, Curve = curve.ToList(),
            };
            if (better) SaveWeights(model, Path.Combine(folder, BestFile));
            TrainingCheckpoint.Save(Path.Combine(folder, CheckpointFile), state, model, optimizer);
            Report(step, totalSteps, lastLoss, validLoss, tokens - startTokens, clock, peakFlops, config, options, elapsedBefore);
            if (options.Patience > 0 && state.EvalsWithoutImprovement >= options.Patience) { reason = "early stop (patience)"; break; }
        }
        if (state.Step != step) // cancelled or out of time between evaluations: keep the progress
        {
            long tokens = state.TokensSeen + (long)(step - state.Step) * inputs.Length;
            state = state with { Step = step, TokensSeen = tokens, SamplerState = sampler.State, ElapsedSeconds = elapsedBefore
                + clock.Elapsed.TotalSeconds };
            TrainingCheckpoint.Save(Path.Combine(folder, CheckpointFile), state, model, optimizer);
            if (!File.Exists(Path.Combine(folder, BestFile))) SaveWeights(model, Path.Combine(folder, BestFile));
        }
        return new TrainingOutcome(state, reason);
    }

    /// <summary>AdamW; weight decay only on the attention and MLP matrices (not biases, LayerNorm gains or embeddings, as nanoGPT).</summary>
    private static AdamW CreateOptimizer(Gpt model, TrainingOptions options)
    {
        var named = model.named_parameters().ToList();
        bool decays((string Name, Parameter P) p) => p.P.dim() == 2 && !p.Name.Contains("wte", StringComparison.Ordinal) && !p.Name.Contains("wpe",
            StringComparison.Ordinal);
        var groups = new[]
        {
            new AdamW.ParamGroup(named.Where(decays).Select(p => p.Item2), new AdamW.Options { LearningRate = options.LearningRate,
                weight_decay = options.WeightDecay }),
            new AdamW.ParamGroup(named.Where(p => !decays(p)).Select(p => p.Item2), new AdamW.Options { LearningRate = options.LearningRate,
                weight_decay = 0 }),
        };
        return optim.AdamW(groups, options.LearningRate, beta1: 0.9, beta2: 0.95);
    }

    private static double Step(Gpt model, AdamW optimizer, long[] inputs, long[] targets, TrainingOptions options)
    {
        using var scope = NewDisposeScope();
        int t = model.Config.Context;
        var x = tensor(inputs, dtype: ScalarType.Int64, device: TorchSetup.Device).view(-1, t);               // (B, T)
        var y = tensor(targets, dtype: ScalarType.Int64, device: TorchSetup.Device).view(-1);                 // (B*T)
        var logits = model.forward(x);                                             // (B, T, V)
        var loss = nn.functional.cross_entropy(logits.view(-1, logits.shape[2]), y);
        optimizer.zero_grad();
        loss.backward();
        if (options.GradClip > 0) nn.utils.clip_grad_norm_(model.parameters(), options.GradClip);
        optimizer.step();
        return loss.item<float>();
    }

    /// <summary>Mean cross-entropy (nats) over fixed, non-overlapping windows at the start of the validation split.</summary>
    public static double ValidationLoss(Gpt model, int[] valid, TrainingOptions options)
    {
        int t = model.Config.Context;
        int windows = Math.Max(1, Math.Min(options.EvalTokens, valid.Length - 1) / t);
        if (valid.Length <= t) return double.NaN;
        model.eval();
        double total = 0;
        long count = 0;
        using var noGrad = no_grad();
        for (int first = 0; first < windows; first += options.Batch)
        {
            int n = Math.Min(options.Batch, windows - first);
            var inputs = new long[n * t];
            var targets = new long[n * t];
            for (int w = 0; w < n; w++)
                for (int j = 0; j < t; j++) { inputs[w * t + j] = valid[(first + w) * t + j]; targets[w * t + j] = valid[(first + w) * t + j + 1]; }
            using var scope = NewDisposeScope();
            var logits = model.forward(tensor(inputs, dtype: ScalarType.Int64, device: TorchSetup.Device).view(n, t));
            var loss = nn.functional.cross_entropy(logits.view(-1, logits.shape[2]),
                tensor(targets, dtype: ScalarType.Int64, device: TorchSetup.Device), reduction: nn.Reduction.Sum);
            total += loss.item<float>();
            count += n * t;
        }
        return total / count;
    }

    private static void SaveWeights(Gpt model, string path)
    {
        string temp = path + $".{Environment.ProcessId}.tmp";
        model.save(temp);
        File.Move(temp, path, overwrite: true);
    }

    private void Report(int step, int totalSteps, double trainLoss, double? validLoss, long tokensThisRun, Stopwatch clock, double peakFlops,
        GptConfig config, TrainingOptions options, double elapsedBefore)
    {
        if (progress is null || (validLoss is null && step % 10 != 0)) return;
        double seconds = Math.Max(1e-9, clock.Elapsed.TotalSeconds);
        double tokensPerSecond = tokensThisRun / seconds;
        double mfu = peakFlops > 0 ? tokensPerSecond * config.TrainingFlopsPerToken / peakFlops : 0;
        double remaining = totalSteps > 0
            ? (totalSteps - step) * (double)options.Batch * config.Context / Math.Max(1, tokensPerSecond)
            : Math.Max(0, options.Minutes * 60 - elapsedBefore - seconds);
        progress.Report(new TrainingReport(step, totalSteps, trainLoss, validLoss, tokensPerSecond, mfu, TimeSpan.FromSeconds(remaining)));
    }
}
