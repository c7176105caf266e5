using System.CommandLine;
using LmCompare.Core;
using LmCompare.Evaluation.Reports;
using Spectre.Console;

using LmCompare.Cli.Output;

namespace LmCompare.Cli.Commands;

/// <summary><c>lmc report REPORT.json|FOLDER [--out DIR]</c>: renders a stored evaluation again, without recomputing anything.</summary>
public static class ReportCommand
{
    private static readonly Argument<string> SourceArgument = new("REPORT") { Description = "A report.json, or a report folder holding one" };
    private static readonly Option<string?> OutOption = new("--out") { Description = "Folder to write (default: the report's own folder)" };

    public static Command Create()
    {
        var command = new Command("report",
            "Render report.md, report.html and the plots from a stored report.json (no recomputation)") { SourceArgument, OutOption };
        command.SetAction(parse => LmcApp.Execute(parse, context =>
        {
            string source = parse.GetValue(SourceArgument)!;
            string json = Directory.Exists(source) ? Path.Combine(source, "report.json") : source;
            var report = EvaluationReport.Load(json);
            string outDir = parse.GetValue(OutOption) ?? Path.GetDirectoryName(Path.GetFullPath(json))!;
            string folder = ReportWriter.Write(report with { Verdict = Verdict.For(report) }, outDir);
            if (context.Json) { Console.Out.WriteLine(report.ToJson()); return ExitCodes.Success; }
            EvaluationSummary.Print(context, report);
            context.Out.MarkupLine($"report: [bold]{Markup.Escape(Path.Combine(folder, "report.html"))}[/]");
            return ExitCodes.Success;
        }));
        return command;
    }
}
