using System.CommandLine;
using System.Globalization;
using LmCompare.Core;
using LmCompare.Corpus;
using LmCompare.Evaluation;
using LmCompare.Evaluation.Reports;
using Spectre.Console;

namespace LmCompare.Cli.Commands;

/// <summary><c>lmc eval --corpus NAME --models A,B [--mix A+B] [--split test] [--out DIR]</c>: every model, one protocol.</summary>
public static class EvalCommand
{
    private static readonly Option<string> CorpusOption = new("--corpus") { Description = "The ingested corpus every model was built on", Required = true };
    private static readonly Option<string> ModelsOption = new("--models") { Description = "Comma-separated model names", Required = true };
    private static readonly Option<string> SplitOption = new("--split") { Description = "valid or test", DefaultValueFactory = _ => "test" };
    private static readonly Option<string[]> MixOption = new("--mix") { Description = "A+B: add the mixture a P_A + (1-a) P_B, a fitted on the validation split (repeatable)", AllowMultipleArgumentsPerToken = false };
    private static readonly Option<bool> NoDocumentOption = new("--no-document") { Description = "Skip the document-scope pass (sentence scope only)" };
    private static readonly Option<string?> OutOption = new("--out") { Description = "Also write the report (md, html, json, png) into this folder" };

    public static Command Create()
    {
        var command = new Command("eval", "Perplexity (incl./excl. OOV), bits per byte, top-1/top-5 accuracy, context novelty and sparsity of models on one corpus")
            { CorpusOption, ModelsOption, SplitOption, MixOption, NoDocumentOption, OutOption };
        command.SetAction(parse => LmcApp.Execute(parse, context =>
        {
            string split = parse.GetValue(SplitOption)!;
            if (split is not ("valid" or "test")) throw new UsageException($"--split {split}: expected valid or test");
            var names = ParseList(parse.GetValue(ModelsOption)!, "--models");
            var mixes = (parse.GetValue(MixOption) ?? []).Select(ParseMix).ToList();
            var corpus = TokenizedCorpus.Open(context.Workspace, parse.GetValue(CorpusOption)!);
            string? outDir = parse.GetValue(OutOption);
            if (outDir is not null) ReportWriter.CheckWritable(outDir);
            var report = Evaluate(context, corpus, names, new EvaluationSettings(split, mixes, !parse.GetValue(NoDocumentOption)));
            string? written = outDir is null ? null : ReportWriter.Write(report, outDir);
            if (context.Json) { Console.Out.WriteLine(report.ToJson()); return ExitCodes.Success; }
            Print(context, report);
            if (written is not null) context.Out.MarkupLine($"report: [bold]{Markup.Escape(Path.Combine(written, "report.html"))}[/]");
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>Opens the models (refusing ones of another corpus or vocabulary), evaluates, disposes.</summary>
    public static EvaluationReport Evaluate(CommandContext context, TokenizedCorpus corpus, IReadOnlyList<string> names, EvaluationSettings settings)
    {
        var ids = names.Select(n => ModelCatalog.Identify(context.Workspace, n)).ToList();
        foreach (var id in ids) ModelCatalog.CheckCorpus(id, corpus);
        var models = new List<EvaluatedModel>();
        try
        {
            foreach (var id in ids) models.Add(ModelCatalog.Open(context.Workspace, id));
            return context.WithProgress("eval", progress => new CorpusEvaluation(corpus, progress).Evaluate(models, settings));
        }
        finally { foreach (var m in models) m.Model.Dispose(); }
    }

    public static List<string> ParseList(string value, string option)
    {
        var names = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        if (names.Count == 0) throw new UsageException($"{option}: no model named");
        var repeated = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null) throw new UsageException($"{option}: model '{repeated.Key}' is named twice");
        return names;
    }

    private static (string, string) ParseMix(string value)
    {
        var parts = value.Split('+', StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || parts.Any(string.IsNullOrEmpty)) throw new UsageException($"--mix {value}: expected A+B (two model names)");
        if (parts[0] == parts[1]) throw new UsageException($"--mix {value}: a model cannot be mixed with itself");
        return (parts[0], parts[1]);
    }

    public static void Print(CommandContext context, EvaluationReport report)
    {
        context.Out.WriteLine($"{report.Corpus} / {report.Split}: {report.Tokens:N0} tokens ({report.Oov:N0} <unk>), {report.Bytes:N0} bytes; sentence scope");
        var table = new Table().AddColumns("model", "kind", "ppl", "ppl excl. OOV", "bits/byte", "top-1", "top-5", "doc. ppl", "tokens/s", "size on disk");
        foreach (var m in report.Models)
            table.AddRow(Markup.Escape(m.Name), m.Kind, Num(m.Perplexity, "0.00"), Num(m.PerplexityExclOov, "0.00"), Num(m.BitsPerByte, "0.000"),
                Pct(m.Top1), Pct(m.Top5), Num(m.Document?.Perplexity, "0.00"), Num(m.TokensPerSecond, "N0"), ReportText.Bytes(m.BytesOnDisk));
        context.Out.Write(table);
        foreach (string line in report.Verdict) context.Out.WriteLine(line);
    }

    private static string Num(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "-";
    private static string Pct(double? value) => value is { } v ? (100 * v).ToString("0.0", CultureInfo.InvariantCulture) + " %" : "-";
}
