using LmCompare.Core;

namespace LmCompare.Transformer.Training;

/// <summary>
/// How <c>lmc train</c> trains, with defaults for a 2-core CPU (docs/ARCHITECTURE.md, "The models": the 2 x 128 model with lr 3e-3 and a cosine
/// schedule beats a Kneser-Ney 5-gram on Brown in about 10 minutes).
/// </summary>
/// <param name="Batch">Windows per step.</param>
/// <param name="LearningRate">Peak learning rate, reached after <paramref name="WarmupSteps"/> (or 5% of a time budget).</param>
/// <param name="MinLearningRate">Floor of the cosine decay.</param>
/// <param name="WeightDecay">Decoupled weight decay (AdamW, Loshchilov and Hutter 2019) on matrices only: not on biases, LayerNorm gains or
/// embeddings.</param>
/// <param name="GradClip">Global gradient norm limit; 0 disables it.</param>
/// <param name="Steps">Optimisation steps; when 0, <paramref name="Minutes"/> bounds the run.</param>
/// <param name="Minutes">Wall-time budget; the schedule then follows elapsed time (runs are not bit-reproducible).</param>
/// <param name="EvalEvery">Steps between validation evaluations (and checkpoints).</param>
/// <param name="EvalTokens">Validation tokens per evaluation (fixed windows, the same every time).</param>
/// <param name="Patience">Stop after this many evaluations without improvement; 0 never stops early.</param>
public sealed record TrainingOptions(
    int Batch = 32, double LearningRate = 3e-3, double MinLearningRate = 3e-4, double WeightDecay = 0.1, int WarmupSteps = 100,
    double GradClip = 1.0, int Steps = 0, double Minutes = 10, int EvalEvery = 200, int EvalTokens = 32768, int Patience = 0,
    int Seed = 1, int Threads = 0)
{
    public void Validate()
    {
        if (Batch < 1) throw new UsageException($"--batch must be at least 1 (got {Batch})");
        if (LearningRate <= 0 || MinLearningRate < 0
            || MinLearningRate > LearningRate) throw new UsageException("--lr must be positive and --min-lr in [0, --lr]");
        if (WeightDecay < 0) throw new UsageException("--weight-decay must not be negative");
        if (WarmupSteps < 0) throw new UsageException("--warmup must not be negative");
        if (GradClip < 0) throw new UsageException("--grad-clip must not be negative");
        if (Steps < 0) throw new UsageException("--steps must not be negative");
        if (Steps == 0 && Minutes <= 0) throw new UsageException("give --steps or a positive --minutes");
        if (EvalEvery < 1) throw new UsageException("--eval-every must be at least 1");
        if (EvalTokens < 1) throw new UsageException("--eval-tokens must be at least 1");
        if (Patience < 0) throw new UsageException("--patience must not be negative");
        if (Threads < 0) throw new UsageException("--threads must not be negative");
    }

    /// <summary>
    /// Linear warm-up then cosine decay to the floor (Loshchilov and Hutter 2017; nanoGPT's get_lr), over steps or,
    /// with a time budget, over the elapsed share of it (warm-up the first 5%).
    /// </summary>
    public double LearningRateAt(int step, double elapsedMinutes)
    {
        double progress, warmup;
        if (Steps > 0) { progress = (double)step / Steps; warmup = Steps == 0 ? 0 : (double)WarmupSteps / Steps; }
        else { progress = elapsedMinutes / Minutes; warmup = 0.05; }
        if (progress < warmup) return LearningRate * (progress + 1e-9) / warmup;
        double decay = Math.Clamp((progress - warmup) / Math.Max(1e-9, 1 - warmup), 0, 1);
        return MinLearningRate + 0.5 * (1 + Math.Cos(Math.PI * decay)) * (LearningRate - MinLearningRate);
    }
}
