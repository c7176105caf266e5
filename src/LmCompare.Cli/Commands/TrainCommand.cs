using System.CommandLine;
using LmCompare.Core;
using LmCompare.Transformer;
using LmCompare.Transformer.Training;
using Spectre.Console;

using LmCompare.Cli.Output;

namespace LmCompare.Cli.Commands;

/// <summary><c>lmc train --corpus NAME --name MODEL</c>: a small GPT on the corpus's ids.</summary>
public static class TrainCommand
{
    private static readonly Option<string> CorpusOption = new("--corpus") { Description = "An ingested corpus", Required = true };
    private static readonly Option<string> NameOption = new("--name") { Description = "Model name (folder under <home>/models)", Required = true };
    private static readonly Option<int> LayersOption = new("--layers") { DefaultValueFactory = _ => 2, Description = "Transformer blocks" };
    private static readonly Option<int> DModelOption = new("--d-model") { DefaultValueFactory = _ => 128, Description = "Width" };
    private static readonly Option<int> HeadsOption = new("--heads") { DefaultValueFactory = _ => 4,
        Description = "Attention heads (divide --d-model)" };
    private static readonly Option<int> ContextOption = new("--context") { DefaultValueFactory = _ => 64, Description = "Tokens of context" };
    private static readonly Option<int> BatchOption = new("--batch") { DefaultValueFactory = _ => 32, Description = "Windows per step" };
    private static readonly Option<double> DropoutOption = new("--dropout") { DefaultValueFactory = _ => 0.0, Description = "Dropout" };
    private static readonly Option<double> LrOption = new("--lr") { DefaultValueFactory = _ => 3e-3, Description = "Peak learning rate" };
    private static readonly Option<double> MinLrOption = new("--min-lr") { DefaultValueFactory = _ => 3e-4,
        Description = "Floor of the cosine decay" };
    private static readonly Option<double> WeightDecayOption = new("--weight-decay") { DefaultValueFactory = _ => 0.1,
        Description = "AdamW weight decay (matrices only)" };
    private static readonly Option<int> WarmupOption = new("--warmup") { DefaultValueFactory = _ => 100,
        Description = "Warm-up steps (5% of the time with --minutes)" };
    private static readonly Option<double> GradClipOption = new("--grad-clip") { DefaultValueFactory = _ => 1.0,
        Description = "Gradient norm limit (0: off)" };
    private static readonly Option<int> StepsOption = new("--steps") { DefaultValueFactory = _ => 0,
        Description = "Optimisation steps (0: use --minutes)" };
    private static readonly Option<double> MinutesOption = new("--minutes") { DefaultValueFactory = _ => 10,
        Description = "Time budget when --steps is 0" };
    private static readonly Option<int> EvalEveryOption = new("--eval-every") { DefaultValueFactory = _ => 200,
        Description = "Steps between validations and checkpoints" };
    private static readonly Option<int> EvalTokensOption = new("--eval-tokens") { DefaultValueFactory = _ => 32768,
        Description = "Validation tokens per evaluation" };
    private static readonly Option<int> PatienceOption = new("--patience") { DefaultValueFactory = _ => 0,
        Description = "Stop after this many evaluations without improvement (0: never)" };
    private static readonly Option<int> SeedOption = new("--seed") { DefaultValueFactory = _ => 1, Description = "Seed of weights and batches" };
    private static readonly Option<int> ThreadsOption = new("--threads") { DefaultValueFactory = _ => 0, Description = "CPU threads (0: all cores)" };
    private static readonly Option<bool> ResumeOption = new("--resume") { Description = "Continue from the last checkpoint" };
    private static readonly Option<bool> ForceOption = new("--force") { Description = "Train from scratch over an existing model" };

    public static Command Create()
    {
        var command = new Command("train", "Train a small GPT (TorchSharp) on the corpus's ids")
        {
            CorpusOption, NameOption, LayersOption, DModelOption, HeadsOption, ContextOption, BatchOption, DropoutOption, LrOption, MinLrOption,
            WeightDecayOption, WarmupOption, GradClipOption, StepsOption, MinutesOption, EvalEveryOption, EvalTokensOption, PatienceOption,
            SeedOption, ThreadsOption, ResumeOption, ForceOption,
        };
        command.SetAction(parse => LmcApp.Execute(parse, context => Run(parse, context)));
        return command;
    }

    private static int Run(ParseResult parse, CommandContext context)
    {
        if (parse.GetValue(ResumeOption) && parse.GetValue(ForceOption)) throw new UsageException("--resume and --force exclude each other");
        var shape = new GptConfig(VocabularySize: 4, parse.GetValue(LayersOption), parse.GetValue(DModelOption), parse.GetValue(HeadsOption),
            parse.GetValue(ContextOption), parse.GetValue(DropoutOption));
        var options = new TrainingOptions(parse.GetValue(BatchOption), parse.GetValue(LrOption), parse.GetValue(MinLrOption),
            parse.GetValue(WeightDecayOption),
            parse.GetValue(WarmupOption), parse.GetValue(GradClipOption), parse.GetValue(StepsOption), parse.GetValue(MinutesOption),
            parse.GetValue(EvalEveryOption), parse.GetValue(EvalTokensOption), parse.GetValue(PatienceOption), parse.GetValue(SeedOption),
                parse.GetValue(ThreadsOption));
        var existing = parse.GetValue(ForceOption) ? ExistingModel.Replace : parse.GetValue(ResumeOption) ? ExistingModel.Resume
            : ExistingModel.Refuse;
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            var result = TrainingProgress.Run(context, options, log =>
                new GptModelBuilder(context.Workspace, log).Train(parse.GetValue(CorpusOption)!, parse.GetValue(NameOption)!, shape, options,
                    existing, cancel.Token));
            if (context.Json) context.WriteJson(result.Manifest);
            else Print(context, result);
            return ExitCodes.Success;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static void Print(CommandContext context, GptTrainResult result)
    {
        var m = result.Manifest;
        var table = new Table().AddColumns("step", "tokens", "train loss", "valid loss", "valid ppl");
        foreach (var p in m.Curve.TakeLast(8)) table.AddRow(p.Step.ToString("N0"), p.TokensSeen.ToString("N0"), p.TrainLoss.ToString("0.000"),
            p.ValidLoss.ToString("0.000"), Math.Exp(p.ValidLoss).ToString("0.00"));
        context.Out.Write(table);
        Console.Out.WriteLine($"model {m.Name}: {m.Parameters:N0} parameters, {m.Steps:N0} steps, {m.TokensSeen:N0} tokens in {m.WallSeconds:0} s "
            + $"({m.TokensPerSecond:N0} tokens/s, MFU {m.Mfu:P0} of {m.PeakGflops:0} GFLOP/s), best validation perplexity " +
                $"{m.BestValidPerplexity?.ToString("0.00") ?? "not measured yet"} ({m.StopReason})");
        if (m.TestPerplexity is { } test) Console.Out.WriteLine($"test perplexity {test:0.00} over {m.TestTokens:N0} tokens (document scope, " +
            $"sliding windows)");
        Console.Out.WriteLine($"-> {result.Directory}");
    }
}
