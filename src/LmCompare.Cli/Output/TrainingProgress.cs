using LmCompare.Transformer;
using LmCompare.Transformer.Training;
using Spectre.Console;

namespace LmCompare.Cli.Output;

/// <summary>Training progress on stderr, for <c>lmc train</c> and the training stage of <c>lmc compare</c>.</summary>
public static class TrainingProgress
{
    /// <summary>Runs a training with progress on stderr: a live bar on a terminal, a line per report otherwise, nothing with --quiet.</summary>
    public static GptTrainResult Run(CommandContext context, TrainingOptions options, Func<IProgress<TrainingReport>?, GptTrainResult> train) =>
        context.Quiet ? train(null)
        : Console.IsErrorRedirected || Environment.GetEnvironmentVariable("CI") is not null ? train(new Progress(Report))
        : LiveTrain(options, train);

    private static void Report(TrainingReport r) => Console.Error.WriteLine("train: " + Line(r));

    private static string Line(TrainingReport r)
    {
        string steps = r.TotalSteps > 0 ? $"{r.Step}/{r.TotalSteps}" : r.Step.ToString();
        string valid = r.ValidLoss is { } v ? $" | valid {v:0.000} (ppl {Math.Exp(v):0.0})" : "";
        return $"step {steps} | loss {r.TrainLoss:0.000}{valid} | {r.TokensPerSecond:N0} tok/s | MFU {r.Mfu:P0} | ETA {r.Eta:hh\\:mm\\:ss}";
    }

    /// <summary>On a terminal: a Spectre bar (steps, or seconds of the budget) with the latest line, and every validation printed above it.</summary>
    private static GptTrainResult LiveTrain(TrainingOptions options, Func<IProgress<TrainingReport>, GptTrainResult> train)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return console.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("train", maxValue: options.Steps > 0 ? options.Steps : options.Minutes * 60);
                var start = DateTime.UtcNow;
                return train(new Progress(r =>
                {
                    task.Value = options.Steps > 0 ? r.Step : Math.Min(task.MaxValue, (DateTime.UtcNow - start).TotalSeconds);
                    task.Description = Markup.Escape(Line(r));
                    if (r.ValidLoss is not null) console.MarkupLine(Markup.Escape(Line(r)));
                }));
            });
    }

    private sealed class Progress(Action<TrainingReport> action) : IProgress<TrainingReport>
    {
        public void Report(TrainingReport value) => action(value);
    }
}
