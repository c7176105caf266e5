using System.CommandLine;
using System.Globalization;
using LmCompare.Core;
using LmCompare.Counting.Stores;
using LmCompare.Corpus;
using LmCompare.Evaluation;
using LmCompare.Evaluation.Reports;
using LmCompare.Cli.Options;
using LmCompare.Cli.Output;
using Spectre.Console;

namespace LmCompare.Cli.Commands;

/// <summary><c>lmc eval --corpus NAME --models A,B [--mix A+B] [--split test] [--out DIR]</c>: every model, one protocol.</summary>
public static class EvalCommand
{
    private static readonly Option<string> CorpusOption = new("--corpus") { Description = "The ingested corpus every model was built on",
        Required = true };
    private static readonly Option<string> ModelsOption = new("--models") { Description = "Comma-separated model names", Required = true };
    private static readonly Option<string> SplitOption = new("--split") { Description = "valid or test", DefaultValueFactory = _ => "test" };
    private static readonly Option<string[]> MixOption = new("--mix") { Description = "A+B: add the mixture a P_A + (1-a) P_B, a fitted on the " +
        "validation split (repeatable)", AllowMultipleArgumentsPerToken = false };
    private static readonly Option<bool> NoDocumentOption = new("--no-document") { Description = "Skip the document-scope pass (sentence scope " +
        "only)" };
    private static readonly Option<string> MemoryOption = new("--memory") { Description = "Memory for the training keys of the sparsity and " +
        "novelty analyses: held whole within it (exact), else read in one pass with distinct counts estimated (~0.4%)",
        DefaultValueFactory = _ => "4GB" };
    private static readonly Option<bool> RecomputeOption = new("--recompute-analysis") { Description = "Compute the novelty and sparsity " +
        "analyses of the training data again instead of reading those the corpus keeps from an earlier evaluation" };
    private static readonly Option<string?> OutOption = new("--out") { Description = "Also write the report (md, html, json, png) into this folder" };

    public static Command Create()
    {
        var command = new Command("eval",
            "Perplexity (incl./excl. OOV), bits per byte, top-1/top-5 accuracy, context novelty and sparsity of models on one corpus")
            { CorpusOption, ModelsOption, SplitOption, MixOption, NoDocumentOption, MemoryOption, RecomputeOption, OutOption };
        command.SetAction(parse => LmcApp.Execute(parse, context =>
        {
            string split = parse.GetValue(SplitOption)!;
            if (split is not ("valid" or "test")) throw new UsageException($"--split {split}: expected valid or test");
            var names = ModelList.Parse(parse.GetValue(ModelsOption)!, "--models");
            var mixes = (parse.GetValue(MixOption) ?? []).Select(ParseMix).ToList();
            var corpus = TokenizedCorpus.Open(context.Workspace, parse.GetValue(CorpusOption)!);
            string? outDir = parse.GetValue(OutOption);
            if (outDir is not null) ReportWriter.CheckWritable(outDir);
            var evaluation = new EvaluationSettings(split, mixes, !parse.GetValue(NoDocumentOption),
                MemoryBytes: MemorySize.Parse(parse.GetValue(MemoryOption)!), ReuseAnalysis: !parse.GetValue(RecomputeOption));
            var report = context.WithProgress("eval", progress =>
                ModelSetEvaluation.Run(context.Workspace, corpus, names, evaluation, ModelCatalog.Instance, progress));
            string? written = outDir is null ? null : ReportWriter.Write(report, outDir);
            if (context.Json) { Console.Out.WriteLine(report.ToJson()); return ExitCodes.Success; }
            EvaluationSummary.Print(context, report);
            if (written is not null) context.Out.MarkupLine($"report: [bold]{Markup.Escape(Path.Combine(written, "report.html"))}[/]");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static (string, string) ParseMix(string value)
    {
        var parts = value.Split('+', StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || parts.Any(string.IsNullOrEmpty)) throw new UsageException($"--mix {value}: expected A+B (two model names)");
        if (parts[0] == parts[1]) throw new UsageException($"--mix {value}: a model cannot be mixed with itself");
        return (parts[0], parts[1]);
    }

}
