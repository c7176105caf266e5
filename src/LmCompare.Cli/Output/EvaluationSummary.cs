using System.Globalization;
using LmCompare.Evaluation.Reports;
using Spectre.Console;

namespace LmCompare.Cli.Output;

/// <summary>The summary table and verdict of an evaluation, as <c>lmc eval</c>, <c>compare</c> and <c>report</c> print it.</summary>
public static class EvaluationSummary
{
    public static void Print(CommandContext context, EvaluationReport report)
    {
        context.Out.WriteLine($"{report.Corpus} / {report.Split}: {report.Tokens:N0} tokens ({report.Oov:N0} <unk>), {report.Bytes:N0} bytes; " +
            $"sentence scope");
        var table = new Table().AddColumns("model", "kind", "ppl", "ppl excl. OOV", "bits/byte", "top-1", "top-5", "doc. ppl", "tokens/s",
            "size on disk");
        foreach (var m in report.Models)
            table.AddRow(Markup.Escape(m.Name), m.Kind, Num(m.Perplexity, "0.00"), Num(m.PerplexityExclOov, "0.00"), Num(m.BitsPerByte, "0.000"),
                Pct(m.Top1), Pct(m.Top5), Num(m.Document?.Perplexity, "0.00"), Num(m.TokensPerSecond, "N0"), ReportText.Bytes(m.BytesOnDisk));
        context.Out.Write(table);
        if (Analysis(report) is { } analysis) context.Out.WriteLine(analysis);
        foreach (string line in report.Verdict) context.Out.WriteLine(line);
    }

    /// <summary>Where the novelty and sparsity figures came from (null for a stored report from before it was recorded).</summary>
    private static string? Analysis(EvaluationReport report)
    {
        string kind = report.Sparsity?.DistinctEstimated == true ? "distinct counts estimated" : "exact";
        if (report.TrainingAnalysisCached)
            return $"novelty and sparsity ({kind}): read from the corpus's kept analysis (--recompute-analysis computes them again)";
        return report.TrainingAnalysisSeconds > 0
            ? string.Create(CultureInfo.InvariantCulture,
                $"novelty and sparsity ({kind}): training census in {report.TrainingAnalysisSeconds:0.0} s, kept for later evaluations")
            : null;
    }

    private static string Num(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "-";
    private static string Pct(double? value) => value is { } v ? (100 * v).ToString("0.0", CultureInfo.InvariantCulture) + " %" : "-";
}
