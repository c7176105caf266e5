using System.CommandLine;
using LmCompare.Cli.Comparison;
using LmCompare.Core;
using Spectre.Console;

using LmCompare.Cli.Output;

namespace LmCompare.Cli.Commands;

/// <summary><c>lmc compare PATH|CORPUS</c>: the main job, from text to a report.</summary>
public static class CompareCommand
{
    private static readonly Argument<string> SourceArgument = new("PATH|CORPUS") { Description = "A text file or folder (.txt, .gz) to ingest, or " +
        "an ingested corpus" };
    private static readonly Option<string?> NameOption = new("--name") { Description = "Corpus name for a text path (default: its file or folder " +
        "name)" };
    private static readonly Option<double> MinutesOption = new("--minutes") { DefaultValueFactory = _ => 5,
        Description = "Training budget of the transformer" };
    private static readonly Option<string> TokenizerOption = new("--tokenizer") { DefaultValueFactory = _ => "word",
        Description = "word, whitespace or gpt2 (text paths)" };
    private static readonly Option<bool> LowercaseOption = new("--lowercase") { Description = "Lower-case words (word tokenizer)" };
    private static readonly Option<int> MinCountOption = new("--min-count") { DefaultValueFactory = _ => 2,
        Description = "Training words seen fewer times become <unk>" };
    private static readonly Option<int> DistancesOption = new("--distances") { DefaultValueFactory = _ => 8,
        Description = "N of the pair-distance model" };
    private static readonly Option<string?> OutOption = new("--out") { Description = "Report folder (default <home>/reports/<corpus>-<UTC time>)" };
    private static readonly Option<bool> NoCurvesOption = new("--no-curves") { Description = "Skip the learning curves (count models rebuilt on " +
        "prefixes)" };
    private static readonly Option<bool> ForceOption = new("--force") { Description = "Rebuild everything instead of reusing what exists" };

    public static Command Create()
    {
        var command = new Command("compare",
            "Ingest, build the pair-distance and Kneser-Ney models, train the transformer, evaluate with mixtures, write the report")
            { SourceArgument, NameOption, MinutesOption, TokenizerOption, LowercaseOption, MinCountOption, DistancesOption, OutOption,
                NoCurvesOption, ForceOption };
        command.SetAction(parse => LmcApp.Execute(parse, context =>
        {
            var settings = new CompareSettings(parse.GetValue(SourceArgument)!, parse.GetValue(NameOption), parse.GetValue(MinutesOption),
                parse.GetValue(TokenizerOption)!, parse.GetValue(LowercaseOption), parse.GetValue(MinCountOption), parse.GetValue(DistancesOption),
                Out: parse.GetValue(OutOption), Curves: !parse.GetValue(NoCurvesOption), Force: parse.GetValue(ForceOption));
            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
            Console.CancelKeyPress += onCancel;
            try
            {
                var (report, folder) = new ComparePipeline(context, settings).Run(cancel.Token);
                if (context.Json) { Console.Out.WriteLine(report.ToJson()); return ExitCodes.Success; }
                EvaluationSummary.Print(context, report);
                context.Out.MarkupLine($"report: [bold]{Markup.Escape(Path.Combine(folder, "report.html"))}[/] (also report.md, report.json and " +
                    $"the plots)");
                return ExitCodes.Success;
            }
            finally { Console.CancelKeyPress -= onCancel; }
        }));
        return command;
    }
}
