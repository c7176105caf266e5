using System.Text;

namespace LmCompare.Evaluation.Reports;

/// <summary><c>report.md</c>: verdict, tables, plots (as the PNG files beside it), settings.</summary>
public static class MarkdownReport
{
    public static string Render(EvaluationReport report, IReadOnlyList<PlotImage> plots)
    {
        var md = new StringBuilder();
        md.AppendLine($"# {report.Corpus}: pair-distance counting, Kneser-Ney and a small GPT").AppendLine();
        md.AppendLine("## Verdict").AppendLine();
        foreach (string line in report.Verdict) md.AppendLine($"- {Escape(line)}");
        md.AppendLine();
        foreach (var table in ReportTables.For(report))
        {
            md.AppendLine($"## {table.Title}").AppendLine().AppendLine(Escape(table.Note)).AppendLine();
            md.AppendLine("| " + string.Join(" | ", table.Header.Select(Escape)) + " |");
            md.AppendLine("|" + string.Concat(table.Header.Select(_ => "---|")));
            foreach (var row in table.Rows) md.AppendLine("| " + string.Join(" | ", row.Select(Escape)) + " |");
            md.AppendLine();
        }
        md.AppendLine("## Plots").AppendLine();
        foreach (var plot in plots) md.AppendLine($"### " +
            $"{plot.Title}").AppendLine().AppendLine($"![{plot.Title}]({plot.File})").AppendLine().AppendLine(Escape(plot.Caption)).AppendLine();
        md.AppendLine("## Settings and versions").AppendLine();
        foreach (var (key, value) in ReportSettings.Lines(report)) md.AppendLine($"- **{Escape(key)}**: {Escape(value)}");
        return md.ToString();
    }

    private static string Escape(string text) => text.Replace("|", "\\|").Replace("<", "&lt;").Replace(">", "&gt;");
}

/// <summary>What reproduces a report: corpus, settings, tool version, timings.</summary>
public static class ReportSettings
{
    public static List<(string Key, string Value)> Lines(EvaluationReport r)
    {
        var lines = new List<(string, string)>
        {
            ("corpus", $"{r.Corpus} (fingerprint {r.CorpusFingerprint[..Math.Min(16, r.CorpusFingerprint.Length)]}), tokenizer {r.Tokenizer}, " +
                $"{ReportText.Grouped(r.VocabularySize)} ids"),
            ("split", $"{r.Split}, {ReportText.Grouped(r.Tokens)} tokens"),
        };
        foreach (var (key, value) in r.Settings) lines.Add((key, value));
        foreach (var m in r.Models.Where(m => m.Mixture is not null))
            lines.Add(($"mixture {m.Name}", $"a = {m.Mixture!.Weight:0.####} on {m.Mixture.First}, fitted by EM on validation lines"));
        lines.Add(("tool", r.Tool));
        lines.Add(("created", r.CreatedUtc));
        lines.Add(("evaluation seconds", ReportText.Num(r.EvaluationSeconds, "0.0")));
        return lines;
    }
}
